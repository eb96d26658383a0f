import { Module } from '@nestjs/common';
import { BuiltInAgent, CopilotKitModule, SqliteAgentRunner } from 'nestjs-copilotkit';
import { AuthModule } from './auth.module.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';

interface AuthenticatedRequest {
  user?: { id: string; tenantId: string };
}

@Module({
  imports: [
    CopilotKitModule.forRootAsync({
      imports: [AuthModule],
      useFactory: () => ({
        agents: { default: new BuiltInAgent({ model: 'openai:gpt-4o-mini' }) },
        runner: new SqliteAgentRunner({
          path: process.env.THREADS_DB ?? 'copilotkit.sqlite',
          retention: { maxAgeMs: 90 * 24 * 60 * 60 * 1000 },
        }),
        // Threads belong to request.user.id by default; here, to the user within their tenant.
        threadOwner: (request) => {
          const user = (request as AuthenticatedRequest).user;
          return user && `${user.tenantId}:${user.id}`;
        },
      }),
      guards: [JwtAuthGuard],
    }),
  ],
})
export class DurableCopilotModule {}
