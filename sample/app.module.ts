import { Module } from '@nestjs/common';
import { BuiltInAgent, CopilotKitModule, type AgUiAgent } from 'nestjs-copilotkit';
import { DemoAgent } from './demo.agent.js';

/** A real model when a key is set; otherwise a scripted agent, so the app runs anywhere. */
function defaultAgent(): AgUiAgent {
  const instructions = 'You are the assistant of a Nest app. Be brief.';
  if (process.env.OPENAI_API_KEY) return new BuiltInAgent({ model: 'openai:gpt-4o-mini', instructions });
  if (process.env.ANTHROPIC_API_KEY) return new BuiltInAgent({ model: 'anthropic:claude-haiku-4-5', instructions });
  return new DemoAgent();
}

@Module({
  imports: [
    CopilotKitModule.forRoot({
      agents: { default: defaultAgent() },
    }),
  ],
})
export class AppModule {}
