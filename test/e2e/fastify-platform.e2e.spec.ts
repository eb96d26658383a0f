import { randomBytes } from 'node:crypto';
import { Controller, Module, Post, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import multipart from '@fastify/multipart';
import { CopilotKitModule, TranscriptionService, type TranscriptionInput } from '../../lib/index.js';
import { ScriptedAgent } from '../fixtures/test-agents.js';
import { postSse, runInput } from '../fixtures/sse-client.js';

/** Names what it was given, so the test sees which bytes reached the service. */
class SizeTranscription extends TranscriptionService {
  async transcribe(input: TranscriptionInput): Promise<string> {
    return `${input.filename}: ${input.size} bytes`;
  }
}

/** The app's own multipart route, read through @fastify/multipart. */
@Controller('upload')
class UploadController {
  @Post()
  async upload(@Req() request: { file?(): Promise<{ filename: string; toBuffer(): Promise<Buffer> } | undefined> }) {
    if (typeof request.file !== 'function') return { plugin: false };
    const file = await request.file();
    return { filename: file?.filename, size: (await file?.toBuffer())?.length };
  }
}

@Module({ controllers: [UploadController] })
class UploadModule {}

function audioForm(bytes: Buffer, field = 'audio'): FormData {
  const form = new FormData();
  form.append(field, new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'audio/webm' }), 'recording.webm');
  return form;
}

/** What only a Fastify app has: plugins of its own next to the CopilotKit routes. */
describe('CopilotKitModule on Fastify, next to the app’s own plugins', () => {
  let app: NestFastifyApplication | undefined;
  afterEach(() => app?.close());

  async function start(withMultipart: boolean): Promise<string> {
    app = await NestFactory.create<NestFastifyApplication>(
      {
        imports: [
          CopilotKitModule.forRoot({ agents: { echo: new ScriptedAgent() }, transcription: new SizeTranscription() }),
          UploadModule,
        ],
      },
      new FastifyAdapter(),
      { logger: ['error', 'warn'] },
    );
    // As a main.ts does it: after create(), before listen().
    if (withMultipart) await app.register(multipart);
    app.enableCors({ origin: 'https://app.example' });
    await app.listen(0, '127.0.0.1');
    return `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  }

  it('reads /transcribe multipart when the app registered @fastify/multipart, and the app’s own upload route keeps working', async () => {
    const origin = await start(true);
    const transcribed = await fetch(`${origin}/copilotkit/transcribe`, { method: 'POST', body: audioForm(randomBytes(4000)) });
    expect(await transcribed.json()).toEqual({ text: 'recording.webm: 4000 bytes', size: 4000, type: 'audio/webm' });
    const uploaded = await fetch(`${origin}/upload`, { method: 'POST', body: audioForm(randomBytes(1200), 'file') });
    expect(await uploaded.json()).toEqual({ filename: 'recording.webm', size: 1200 });
  });

  it('reads /transcribe multipart without any multipart plugin, while the app’s routes still answer 415', async () => {
    const origin = await start(false);
    const transcribed = await fetch(`${origin}/copilotkit/transcribe`, { method: 'POST', body: audioForm(randomBytes(2500)) });
    expect(transcribed.status).toBe(200);
    expect(await transcribed.json()).toMatchObject({ size: 2500 });
    const uploaded = await fetch(`${origin}/upload`, { method: 'POST', body: audioForm(randomBytes(10), 'file') });
    expect({ status: uploaded.status, body: await uploaded.json() }).toEqual({
      status: 415,
      body: { statusCode: 415, message: 'Unsupported Media Type' },
    });
  });

  it('keeps the headers Fastify hooks set (CORS) on the event stream', async () => {
    const origin = await start(false);
    const run = await postSse(`${origin}/copilotkit/agent/echo/run`, runInput(), { headers: { Origin: 'https://app.example' } });
    expect(run.status).toBe(200);
    expect(run.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(run.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(run.events.at(-1)?.type).toBe('RUN_FINISHED');
  });
});
