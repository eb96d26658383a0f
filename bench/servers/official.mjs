// The official runtime (@copilotkit/runtime 1.75, BuiltInAgent on the AI SDK) mounted in a Nest
// app the way its docs tell Nest users: its Express handler on the Nest app's Express instance.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createOpenAI } from '@ai-sdk/openai';
import { BuiltInAgent, CopilotRuntime, defineTool } from '@copilotkit/runtime/v2';
import { createCopilotExpressHandler } from '@copilotkit/runtime/v2/express';
import { z } from 'zod';

const model = createOpenAI({ baseURL: `${process.env.LLM_URL}/v1`, apiKey: 'bench' }).chat('gpt-4o-mini');
const getWeather = defineTool({
  name: 'getWeather',
  description: 'Current weather in a city',
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, sky: 'sunny', celsius: 21 }),
});
process.env.COPILOTKIT_TELEMETRY_DISABLED = 'true';
const runtime = new CopilotRuntime({ agents: { default: new BuiltInAgent({ model, tools: [getWeather], maxSteps: 3 }) } });

class AppModule {}
Module({})(AppModule);
const app = await NestFactory.create(AppModule, { logger: ['error'] });
app.use(createCopilotExpressHandler({ runtime, basePath: '/copilotkit' }));
await app.listen(0, '127.0.0.1');
process.send({ port: app.getHttpServer().address().port });
// Exit on SIGINT so that --cpu-prof can write its profile.
process.on('SIGINT', () => process.exit(0));
