import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AppModule } from './../src/app.module.js';
import { httpAdapter } from './../src/platform.js';

describe('CopilotKit in the app (e2e)', () => {
  let app: INestApplication;

  beforeEach(async () => {
    process.env.OPENAI_API_KEY ??= 'sk-e2e-test';
    const moduleFixture = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleFixture.createNestApplication(httpAdapter());
    await app.init();
    await (app.getHttpAdapter().getInstance() as { ready?: () => Promise<unknown> }).ready?.();
  });

  afterEach(async () => {
    await app.close();
  });

  it('serves /copilotkit/info behind the guard', async () => {
    await request(app.getHttpServer()).get('/copilotkit/info').expect(401);
    const response = await request(app.getHttpServer()).get('/copilotkit/info').set('Authorization', 'Bearer consumer-key').expect(200);
    expect(Object.keys(response.body.agents)).toContain('default');
  });

  it('leaves the app routes alone', () => {
    return request(app.getHttpServer()).get('/').expect(200).expect('Hello World!');
  });
});
