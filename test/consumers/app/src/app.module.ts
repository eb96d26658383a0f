import { Module } from '@nestjs/common';
import { BuiltInAgent, CopilotKitModule } from 'nestjs-copilotkit';
import { ApiKeyGuard } from './api-key.guard.js';
import { AppController } from './app.controller.js';
import { runnerFromEnv } from './runner.js';
import { WeatherService } from './weather.service.js';

@Module({
  imports: [
    CopilotKitModule.forRootAsync({
      guards: [ApiKeyGuard],
      useFactory: () => ({
        agents: {
          default: new BuiltInAgent({ model: 'openai:gpt-4o-mini', instructions: 'You answer questions about the weather.' }),
          ...(process.env.ANTHROPIC_BASE_URL ? { claude: new BuiltInAgent({ model: 'anthropic:claude-haiku-4-5' }) } : {}),
        },
        runner: runnerFromEnv(),
        // Set by the consumer check of a client that stops reading; the defaults otherwise.
        maxBufferedBytes: process.env.COPILOT_MAX_BUFFERED_BYTES ? Number(process.env.COPILOT_MAX_BUFFERED_BYTES) : undefined,
        bodyLimit: process.env.COPILOT_BODY_LIMIT,
      }),
    }),
  ],
  controllers: [AppController],
  providers: [WeatherService],
})
export class AppModule {}
