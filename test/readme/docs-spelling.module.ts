import { Module } from '@nestjs/common';
import { BasicAgent, CopilotKitModule } from 'nestjs-copilotkit';

// As the official CopilotKit v2 docs write it: `BasicAgent`, 'provider/model' and `prompt`.
const agent = new BasicAgent({
  model: 'openai/gpt-4o',
  prompt: 'You are a helpful assistant.',
  temperature: 0.7,
});

@Module({
  imports: [CopilotKitModule.forRoot({ agents: { default: agent } })],
})
export class DocsSpellingModule {}
