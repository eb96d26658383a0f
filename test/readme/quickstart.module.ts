import { Module } from '@nestjs/common';
import { BuiltInAgent, CopilotKitModule } from 'nestjs-copilotkit';

@Module({
  imports: [
    CopilotKitModule.forRoot({
      agents: {
        default: new BuiltInAgent({ model: 'openai:gpt-4o-mini', instructions: 'You are a helpful assistant.' }),
      },
    }),
  ],
})
export class AppModule {}
