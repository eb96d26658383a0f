// This project: the built-in agent in a Nest app, as the sample runs it (in-memory runner).
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import OpenAI from 'openai';
import { BuiltInAgent, CopilotAction, CopilotKitModule, OpenAIAdapter } from '../../dist/esm/index.js';

class WeatherService {
  getWeather({ city }) {
    return { city, sky: 'sunny', celsius: 21 };
  }
}
Injectable()(WeatherService);
CopilotAction({
  description: 'Current weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
})(WeatherService.prototype, 'getWeather', Object.getOwnPropertyDescriptor(WeatherService.prototype, 'getWeather'));

const client = new OpenAI({ baseURL: `${process.env.LLM_URL}/v1`, apiKey: 'bench', maxRetries: 0 });
const agent = new BuiltInAgent({ model: new OpenAIAdapter({ client, model: 'gpt-4o-mini' }), maxSteps: 3 });

class BenchModule {}
Module({
  imports: [CopilotKitModule.forRoot({ agents: { default: agent }, runner: undefined })],
  providers: [WeatherService],
})(BenchModule);

const app = await NestFactory.create(BenchModule, { logger: ['error'] });
await app.listen(0, '127.0.0.1');
// Exit on SIGINT so that --cpu-prof can write its profile.
process.on('SIGINT', () => process.exit(0));
process.send({ port: app.getHttpServer().address().port });
