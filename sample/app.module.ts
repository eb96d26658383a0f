import { Module } from '@nestjs/common';
import { CopilotKitModule } from 'nestjs-copilotkit';
import { DemoAgent } from './demo.agent.js';

@Module({
  imports: [
    CopilotKitModule.forRoot({
      agents: { default: new DemoAgent() },
    }),
  ],
})
export class AppModule {}
