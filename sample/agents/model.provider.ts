import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { LLMock } from '@copilotkit/aimock';
import OpenAI from 'openai';
import { OpenAIAdapter, type ModelAdapter } from 'nestjs-copilotkit';
import { startDemoLlm } from '../demo/demo-llm.js';

/**
 * Which model the sample's agents use: a real one when a key is set, else the scripted demo
 * server. Built by an async factory, so it is ready before the agents that inject it.
 */
export class ModelProvider implements OnApplicationShutdown {
  private constructor(
    readonly mode: 'openai' | 'anthropic' | 'demo',
    readonly model: string | ModelAdapter,
    private readonly demo?: LLMock,
  ) {}

  static async create(): Promise<ModelProvider> {
    const logger = new Logger('Sample');
    if (process.env.OPENAI_API_KEY) return new ModelProvider('openai', 'openai:gpt-4o-mini');
    if (process.env.ANTHROPIC_API_KEY) return new ModelProvider('anthropic', 'anthropic:claude-haiku-4-5');
    const demo = await startDemoLlm();
    logger.warn(`Demo mode: no OPENAI_API_KEY or ANTHROPIC_API_KEY, so the agents talk to a scripted local LLM (aimock at ${demo.url}).`);
    const client = new OpenAI({ baseURL: `${demo.url}/v1`, apiKey: 'demo-mode', maxRetries: 0 });
    return new ModelProvider('demo', new OpenAIAdapter({ client, model: 'demo' }), demo);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.demo?.stop();
  }
}
