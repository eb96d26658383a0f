import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { BuiltInAgent, CopilotKitModule, RedisPostgresAgentRunner } from 'nestjs-copilotkit';

@Module({
  imports: [
    CopilotKitModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        agents: { default: new BuiltInAgent({ model: 'openai:gpt-4o-mini' }) },
        runner: new RedisPostgresAgentRunner({
          postgres: { connectionString: config.getOrThrow('DATABASE_URL') },
          schema: config.get('COPILOTKIT_SCHEMA', 'copilotkit'),
          redis: { host: config.get('REDIS_HOST', '127.0.0.1'), port: 6379 },
          shutdownGraceMs: 20_000, // runs in flight get this long to finish on SIGTERM
        }),
      }),
    }),
  ],
})
export class ScaledCopilotModule {}
