import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { HttpAgent } from '@ag-ui/client';
import { CopilotKitModule } from 'nestjs-copilotkit';
import { AuthModule } from './auth.module.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';

@Module({
  imports: [
    CopilotKitModule.forRootAsync({
      // What the factory and the guards need: JwtAuthGuard's own dependencies come from AuthModule.
      imports: [ConfigModule, AuthModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        agents: { research: new HttpAgent({ url: config.getOrThrow('RESEARCH_AGENT_URL') }) },
      }),
      // Known before any provider is built, so they can shape the routes:
      path: 'api/copilotkit',
      guards: [JwtAuthGuard],
    }),
  ],
})
export class SecuredCopilotModule {}
