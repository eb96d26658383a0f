import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule);
  // Conversations carry the whole history (and images): Express's 100 kB default is too small.
  app.useBodyParser('json', { limit: '10mb' });
  app.enableCors();
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  const logger = new Logger('Sample');
  logger.log(`CopilotKit runtime on http://localhost:${port}/copilotkit (GET /copilotkit/info lists the agents)`);
  if (!process.env.OPENAI_API_KEY && !process.env.ANTHROPIC_API_KEY) {
    logger.warn('Demo mode: no OPENAI_API_KEY or ANTHROPIC_API_KEY, so the "default" agent is scripted and no LLM is called.');
  }
}

void bootstrap();
