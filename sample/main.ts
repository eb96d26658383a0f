import 'reflect-metadata';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';

async function bootstrap(): Promise<void> {
  mkdirSync('.tmp', { recursive: true });
  const app = await NestFactory.create<NestExpressApplication>(AppModule);
  app.enableShutdownHooks();
  const logger = new Logger('Sample');
  // The web page (sample/web), built by `npm run build:web`.
  const page = fileURLToPath(new URL('../../sample/web/dist', import.meta.url));
  if (existsSync(page)) app.useStaticAssets(page);
  else logger.warn(`No web page at ${page}: run npm run build:web.`);
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  logger.log(`Open http://localhost:${port} (CopilotKit runtime at /copilotkit)`);
}

void bootstrap();
