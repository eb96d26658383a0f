import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { BuiltInAgent, CopilotAgent } from 'nestjs-copilotkit';

/** The built-in agent as a class: configured from DI, served as 'support'. */
@CopilotAgent({ name: 'support', description: 'Answers questions about your todos' })
export class SupportAgent extends BuiltInAgent {
  constructor(config: ConfigService) {
    const logger = new Logger(SupportAgent.name);
    super({
      model: config.get('SUPPORT_MODEL', 'openai:gpt-4o-mini'), // the key comes from OPENAI_API_KEY
      instructions: 'You help people manage their todos. Use the actions; be brief.',
      maxSteps: 4,
      temperature: 0.2,
      onUsage: ({ usage, threadId }) => logger.log(`thread ${threadId}: ${usage.map((u) => u.totalTokens).join('+')} tokens`),
    });
  }
}
