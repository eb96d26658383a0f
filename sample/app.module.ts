import { Module } from '@nestjs/common';
import { BuiltInAgent, CopilotKitModule, SqliteAgentRunner } from 'nestjs-copilotkit';
import { ModelProvider } from './agents/model.provider.js';
import { PlannerAgent } from './agents/planner.agent.js';
import { AuthController } from './auth/auth.controller.js';
import { BearerAuthGuard } from './auth/bearer-auth.guard.js';
import { ConfigController } from './config.controller.js';
import { TasksController } from './tasks/tasks.controller.js';
import { TasksService } from './tasks/tasks.service.js';
import { AuditHooks } from './audit/audit.hooks.js';

@Module({
  providers: [{ provide: ModelProvider, useFactory: () => ModelProvider.create() }],
  exports: [ModelProvider],
})
export class ModelsModule {}

@Module({
  imports: [
    ModelsModule,
    CopilotKitModule.forRootAsync({
      imports: [ModelsModule],
      inject: [ModelProvider],
      useFactory: (models: ModelProvider) => ({
        agents: {
          default: new BuiltInAgent({
            model: models.model,
            instructions: 'You are the assistant of a task board. Use the actions to read and change it. Be brief.',
            maxSteps: 4,
          }),
        },
        // Threads survive restarts and belong to the signed-in user.
        runner: new SqliteAgentRunner({ path: process.env.SAMPLE_DB ?? '.tmp/sample.sqlite' }),
      }),
      guards: [BearerAuthGuard],
    }),
  ],
  controllers: [AuthController, ConfigController, TasksController],
  providers: [TasksService, PlannerAgent, AuditHooks],
})
export class AppModule {}
