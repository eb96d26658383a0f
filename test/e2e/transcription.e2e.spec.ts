import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ForbiddenException, Global, Injectable, Module, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FixtureResponse } from '@copilotkit/aimock';
import OpenAI from 'openai';
import {
  CopilotKitConfigurationError,
  CopilotKitModule,
  OpenAITranscriptionService,
  TranscriptionService,
  type CopilotRequestSummary,
  type CopilotKitModuleOptions,
  type TranscriptionInput,
} from '../../lib/index.js';
import { HeaderAuthGuard, type User } from '../fixtures/task-board/auth.js';
import { LlmMock } from '../fixtures/llm-mock.js';
import { startApp, startCopilotKit, type TestApp } from '../fixtures/test-app.js';

const TEXT = 'Remind me to water the plants.';

/** A multipart upload as aimock received it: the real bytes the `openai` SDK sent. */
interface Upload {
  model: string | null;
  file: File;
}

/** Refuses a request that HeaderAuthGuard did not authenticate. */
@Injectable()
class RequireUserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (!context.switchToHttp().getRequest<{ user?: User }>().user) throw new ForbiddenException('Sign in first.');
    return true;
  }
}

/** The OpenAI service, recording what it was given (what a subclass of the user's would see). */
class RecordingTranscription extends OpenAITranscriptionService {
  readonly inputs: TranscriptionInput[] = [];

  override transcribe(input: TranscriptionInput): Promise<string> {
    this.inputs.push(input);
    return super.transcribe(input);
  }
}

describe('POST /transcribe', () => {
  const mock = new LlmMock();
  const raw: Array<{ contentType: string; chunks: Buffer[] }> = [];
  /** What aimock's transcription endpoint answers next (an error fixture), once. */
  let nextUpstream: FixtureResponse | undefined;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    await mock.start();
    // Keeps a copy of each upload as aimock's own reader consumes it, without reading it itself.
    mock.server.mount('/v1/audio', {
      async handleRequest(request: IncomingMessage) {
        const entry = { contentType: String(request.headers['content-type']), chunks: [] as Buffer[] };
        raw.push(entry);
        const emit = request.emit;
        request.emit = function (this: IncomingMessage, event: string | symbol, ...args: unknown[]) {
          if (event === 'data') entry.chunks.push(Buffer.from(args[0] as Buffer));
          return emit.call(this, event, ...args);
        } as typeof request.emit;
        return false;
      },
    });
    mock.server.addFixture({
      match: { endpoint: 'transcription' },
      response: () => {
        const response = nextUpstream ?? { transcription: { text: TEXT } };
        nextUpstream = undefined;
        return response;
      },
    });
  });
  afterAll(() => mock.stop());
  beforeEach(() => {
    raw.length = 0;
    nextUpstream = undefined;
    mock.server.clearRequests();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  function openai(baseURL = `${mock.server.url}/v1`): OpenAI {
    return new OpenAI({ baseURL, apiKey: 'sk-test-secret', maxRetries: 0 });
  }

  async function start(options: CopilotKitModuleOptions & Parameters<typeof startCopilotKit>[0] = {}): Promise<TestApp> {
    const app = await startCopilotKit(options);
    apps.push(app);
    return app;
  }

  async function startWithOpenAI(options: Parameters<typeof startCopilotKit>[0] = {}) {
    const service = new RecordingTranscription({ client: openai() });
    return { server: await start({ transcription: service, ...options }), service };
  }

  async function uploads(): Promise<Upload[]> {
    return Promise.all(
      raw.map(async ({ contentType, chunks }) => {
        const form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': contentType } }).formData();
        return { model: form.get('model') as string | null, file: form.get('audio') ?? (form.get('file') as File) } as Upload;
      }),
    );
  }

  function audioForm(bytes: Uint8Array, type = 'audio/webm;codecs=opus', filename = 'recording.webm', field = 'audio'): FormData {
    const form = new FormData();
    // As the CopilotKit client does: formData.append("audio", blob, "recording.webm").
    form.append(field, new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), filename);
    return form;
  }

  async function post(url: string, body: FormData | object, init: RequestInit = {}) {
    const isForm = body instanceof FormData;
    const response = await fetch(url, {
      method: 'POST',
      body: isForm ? body : JSON.stringify(body),
      ...init,
      headers: { ...(!isForm && { 'content-type': 'application/json' }), ...(init.headers as Record<string, string>) },
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: JSON.parse(text) as Record<string, unknown> };
  }

  describe('through the openai client and aimock', () => {
    it('answers the text of a multipart upload, having sent the very bytes, name and type upstream', async () => {
      const { server, service } = await startWithOpenAI();
      const audio = randomBytes(3000);
      const result = await post(`${server.url}/transcribe`, audioForm(audio));
      expect(result).toMatchObject({ status: 200, body: { text: TEXT, size: 3000, type: 'audio/webm;codecs=opus' } });
      expect(result.headers.get('content-type')).toMatch(/^application\/json/);

      const [sent, ...more] = await uploads();
      expect(more).toHaveLength(0);
      expect(sent!.model).toBe('whisper-1');
      expect(sent!.file.name).toBe('recording.webm');
      expect(sent!.file.type).toBe('audio/webm;codecs=opus');
      expect(Buffer.from(await sent!.file.arrayBuffer()).equals(audio)).toBe(true);
      expect(mock.server.getRequests().map((entry) => [entry.path, entry.response.status])).toEqual([['/v1/audio/transcriptions', 200]]);
      expect(service.inputs[0]).toMatchObject({ mimeType: 'audio/webm;codecs=opus', filename: 'recording.webm', size: 3000 });
    });

    it('serves the single-route envelope with base64 audio, with and without a data: URL prefix', async () => {
      const { server } = await startWithOpenAI({
        transcription: new OpenAITranscriptionService({ client: openai(), model: 'gpt-4o-mini-transcribe' }),
      });
      const wav = randomBytes(1500);
      const plain = await post(server.url, {
        method: 'transcribe',
        body: { audio: wav.toString('base64'), mimeType: 'audio/wav', filename: 'clip.wav' },
      });
      expect(plain).toEqual({ status: 200, headers: expect.anything(), body: { text: TEXT, size: 1500, type: 'audio/wav' } });

      const ogg = randomBytes(1001);
      const dataUrl = `data:audio/ogg;base64,${ogg.toString('base64')}`;
      const prefixed = await post(server.url, { method: 'transcribe', body: { audio: dataUrl } });
      // No mimeType: the data URL's; no filename: one with the type's extension, which OpenAI reads the format from.
      expect(prefixed.body).toEqual({ text: TEXT, size: 1001, type: 'audio/ogg' });

      const [first, second] = await uploads();
      expect(first!.model).toBe('gpt-4o-mini-transcribe');
      expect([first!.file.name, first!.file.type]).toEqual(['clip.wav', 'audio/wav']);
      expect(Buffer.from(await first!.file.arrayBuffer()).equals(wav)).toBe(true);
      expect([second!.file.name, second!.file.type]).toEqual(['recording.ogg', 'audio/ogg']);
      expect(Buffer.from(await second!.file.arrayBuffer()).equals(ogg)).toBe(true);
    });

    it('reads a multipart upload whose boundary contains "json" as multipart', async () => {
      const { server } = await startWithOpenAI();
      const encoded = new Response(audioForm(randomBytes(64)));
      const body = Buffer.from(await encoded.arrayBuffer());
      const boundary = /boundary=(.+)$/.exec(encoded.headers.get('content-type')!)![1];
      const renamed = body.toString('latin1').split(boundary).join('jsonboundary123');
      const result = await fetch(`${server.url}/transcribe`, {
        method: 'POST',
        body: Buffer.from(renamed, 'latin1'),
        headers: { 'content-type': 'multipart/form-data; boundary=jsonboundary123' },
      });
      expect(result.status).toBe(200);
      expect(await result.json()).toMatchObject({ text: TEXT, size: 64 });
    });

    it('treats an untyped or octet-stream upload as webm', async () => {
      const { server } = await startWithOpenAI();
      const result = await post(`${server.url}/transcribe`, audioForm(randomBytes(10), 'application/octet-stream', 'blob'));
      expect(result.body).toEqual({ text: TEXT, size: 10, type: 'audio/webm' });
      const [sent] = await uploads();
      expect([sent!.file.name, sent!.file.type]).toEqual(['blob.webm', 'audio/webm']);
    });

    it('maps an upstream 429 to 429 rate_limited with its Retry-After, and 401 to auth_failed, without leaking the message', async () => {
      const { server } = await startWithOpenAI();
      nextUpstream = {
        error: { message: 'Rate limit reached for whisper-1 in org-secret', type: 'rate_limit_error' },
        status: 429,
        retryAfter: 7,
      };
      const limited = await post(`${server.url}/transcribe`, audioForm(randomBytes(100)));
      expect(limited.status).toBe(429);
      expect(limited.body).toEqual({ error: 'rate_limited', message: expect.any(String), retryable: true });
      expect(limited.headers.get('retry-after')).toBe('7');
      expect(JSON.stringify(limited.body)).not.toContain('org-secret');

      nextUpstream = { error: { message: 'Incorrect API key provided: sk-test-***cret', type: 'invalid_request_error' }, status: 401 };
      const refused = await post(`${server.url}/transcribe`, audioForm(randomBytes(100)));
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ error: 'auth_failed', retryable: false });
      expect(JSON.stringify(refused.body)).not.toContain('sk-test');
      expect(mock.server.getRequests().map((entry) => entry.response.status)).toEqual([429, 401]);
    });

    it('maps an upstream 400 to invalid_audio_format with its message, and a 500 to 502 provider_error', async () => {
      const { server } = await startWithOpenAI();
      nextUpstream = {
        error: { message: 'Invalid file format. Supported formats: [flac, mp3, wav]', type: 'invalid_request_error' },
        status: 400,
      };
      const invalid = await post(`${server.url}/transcribe`, audioForm(randomBytes(100)));
      expect(invalid).toMatchObject({
        status: 400,
        body: { error: 'invalid_audio_format', message: expect.stringContaining('Invalid file format'), retryable: false },
      });

      nextUpstream = {
        error: { message: 'Audio file is too short. Minimum audio length is 0.1 seconds.', type: 'invalid_request_error' },
        status: 400,
      };
      const short = await post(`${server.url}/transcribe`, audioForm(randomBytes(100)));
      expect(short).toMatchObject({ status: 400, body: { error: 'audio_too_short' } });

      nextUpstream = { error: { message: 'The server had an error', type: 'server_error' }, status: 500 };
      const failed = await post(`${server.url}/transcribe`, audioForm(randomBytes(100)));
      expect(failed).toMatchObject({ status: 502, body: { error: 'provider_error', retryable: true } });
    });

    it('answers 502 network_error when the provider cannot be reached', async () => {
      const server = await start({ transcription: new OpenAITranscriptionService({ client: openai('http://127.0.0.1:1/v1') }) });
      const result = await post(`${server.url}/transcribe`, audioForm(randomBytes(100)));
      expect(result).toMatchObject({ status: 502, body: { error: 'network_error', retryable: true } });
    });
  });

  describe('/info', () => {
    it('says audioFileTranscriptionEnabled only when a service is configured', async () => {
      const { server: withService } = await startWithOpenAI();
      const without = await start({});
      const flag = async (server: TestApp) =>
        ((await (await fetch(`${server.url}/info`)).json()) as Record<string, unknown>).audioFileTranscriptionEnabled;
      expect(await flag(withService)).toBe(true);
      expect(await flag(without)).toBe(false);
      const envelope = await post(withService.url, { method: 'info' });
      expect(envelope.body.audioFileTranscriptionEnabled).toBe(true);
    });

    it('takes a TranscriptionService provider the module can see, as an injection token', async () => {
      const service = new RecordingTranscription({ client: openai() });
      @Global()
      @Module({ providers: [{ provide: TranscriptionService, useValue: service }], exports: [TranscriptionService] })
      class SpeechModule {}
      const server = await startApp([SpeechModule, CopilotKitModule.forRoot({})]);
      apps.push(server);
      expect(((await (await fetch(`${server.url}/info`)).json()) as Record<string, unknown>).audioFileTranscriptionEnabled).toBe(true);
      const result = await post(`${server.url}/transcribe`, audioForm(randomBytes(20)));
      expect(result.body).toMatchObject({ text: TEXT, size: 20 });
      expect(service.inputs).toHaveLength(1);
    });
  });

  describe('refusals', () => {
    it('answers 503 service_not_configured without a service, on both transports', async () => {
      const server = await start({});
      const expected = { error: 'service_not_configured', message: 'Transcription service is not configured', retryable: false };
      expect(await post(`${server.url}/transcribe`, audioForm(randomBytes(10)))).toMatchObject({ status: 503, body: expected });
      expect(await post(server.url, { method: 'transcribe', body: { audio: 'AAAA', mimeType: 'audio/webm' } })).toMatchObject({
        status: 503,
        body: expected,
      });
    });

    it('refuses a type that is not audio with 400 invalid_audio_format, before calling the provider', async () => {
      const { server, service } = await startWithOpenAI();
      const multipart = await post(`${server.url}/transcribe`, audioForm(randomBytes(10), 'image/png', 'photo.png'));
      expect(multipart).toMatchObject({ status: 400, body: { error: 'invalid_audio_format', retryable: false } });
      expect(multipart.body.message).toContain('image/png');
      const envelope = await post(server.url, { method: 'transcribe', body: { audio: 'AAAA', mimeType: 'video/x-matroska' } });
      expect(envelope).toMatchObject({ status: 400, body: { error: 'invalid_audio_format' } });
      expect(service.inputs).toHaveLength(0);
      expect(raw).toHaveLength(0);
    });

    it('refuses audio over maxAudioBytes with 413 audio_too_large, however it is sent', async () => {
      const { server, service } = await startWithOpenAI({ maxAudioBytes: 1024 });
      // At the limit: accepted.
      expect((await post(`${server.url}/transcribe`, audioForm(randomBytes(1024)))).body).toMatchObject({ size: 1024 });
      // Just over: read, then refused.
      const over = await post(`${server.url}/transcribe`, audioForm(randomBytes(1025)));
      expect(over).toMatchObject({ status: 413, body: { error: 'audio_too_large', retryable: false } });
      // Far over, with a Content-Length: refused before reading.
      expect((await post(`${server.url}/transcribe`, audioForm(randomBytes(200_000)))).status).toBe(413);
      // Far over, streamed without a length: refused mid-upload, and the client still reads the answer.
      const form = new Request('http://x/', { method: 'POST', body: audioForm(randomBytes(300_000)) });
      const bytes = new Uint8Array(await form.arrayBuffer());
      const streamed = await post(`${server.url}/transcribe`, {}, {
        body: new ReadableStream({
          start(controller) {
            for (let at = 0; at < bytes.length; at += 16_384) controller.enqueue(bytes.slice(at, at + 16_384));
            controller.close();
          },
        }),
        headers: { 'content-type': form.headers.get('content-type')! },
        duplex: 'half',
      } as RequestInit);
      expect(streamed).toMatchObject({ status: 413, body: { error: 'audio_too_large' } });
      // Base64 through the envelope: the decoded size counts.
      const envelope = await post(server.url, {
        method: 'transcribe',
        body: { audio: randomBytes(1025).toString('base64'), mimeType: 'audio/mp3' },
      });
      expect(envelope).toMatchObject({ status: 413, body: { error: 'audio_too_large' } });
      expect(service.inputs.map((input) => input.size)).toEqual([1024]);
    });

    it('refuses an empty file with 400 audio_too_short', async () => {
      const { server, service } = await startWithOpenAI();
      expect(await post(`${server.url}/transcribe`, audioForm(new Uint8Array(0)))).toMatchObject({
        status: 400,
        body: { error: 'audio_too_short', retryable: false },
      });
      expect(await post(server.url, { method: 'transcribe', body: { audio: '', mimeType: 'audio/webm' } })).toMatchObject({
        status: 400,
        body: { error: 'audio_too_short' },
      });
      expect(service.inputs).toHaveLength(0);
    });

    it('refuses a request without audio, or not base64, or of another content type, with 400 invalid_request', async () => {
      const { server, service } = await startWithOpenAI();
      const cases = [
        await post(`${server.url}/transcribe`, audioForm(randomBytes(10), 'audio/webm', 'recording.webm', 'file')),
        await post(
          `${server.url}/transcribe`,
          (() => {
            const form = new FormData();
            form.append('audio', 'not a file');
            return form;
          })(),
        ),
        await post(`${server.url}/transcribe`, {}, { body: 'hello', headers: { 'content-type': 'text/plain' } }),
        await post(server.url, { method: 'transcribe', body: { mimeType: 'audio/webm' } }),
        await post(server.url, { method: 'transcribe', body: { audio: 'not base64!', mimeType: 'audio/webm' } }),
        await post(server.url, { method: 'transcribe' }),
      ];
      for (const result of cases) expect(result).toMatchObject({ status: 400, body: { error: 'invalid_request', retryable: false } });
      expect(cases[0]!.body.message).toContain("'audio'");
      expect(service.inputs).toHaveLength(0);
    });

    it('answers 405 with Allow: POST to another method', async () => {
      const { server } = await startWithOpenAI();
      const response = await fetch(`${server.url}/transcribe`);
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    });
  });

  describe('guards and hooks', () => {
    it('runs the guards first: refused without a user, and the service sees the guard’s request.user', async () => {
      const summaries: CopilotRequestSummary[] = [];
      const { server, service } = await startWithOpenAI({
        guards: [HeaderAuthGuard, RequireUserGuard],
        hooks: { afterRequest: (summary) => void summaries.push(summary) },
      });
      const refused = await post(`${server.url}/transcribe`, audioForm(randomBytes(10)));
      expect(refused.status).toBe(403);
      const refusedEnvelope = await post(server.url, { method: 'transcribe', body: { audio: 'AAAA' } });
      expect(refusedEnvelope.status).toBe(403);
      expect(raw).toHaveLength(0);

      const allowed = await post(`${server.url}/transcribe`, audioForm(randomBytes(10)), { headers: { 'x-user': 'alice:editor' } });
      expect(allowed).toMatchObject({ status: 200, body: { text: TEXT } });
      expect(service.inputs.map((input) => (input.request as { user?: User }).user)).toEqual([{ id: 'alice', roles: ['editor'] }]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(summaries.map((summary) => [summary.route, summary.outcome])).toEqual([[{ method: 'transcribe' }, 'finished']]);
    });
  });

  describe('options', () => {
    it('refuses a transcription that is not a service, and a bad maxAudioBytes, at boot', async () => {
      const boot = (options: Record<string, unknown>) => startCopilotKit(options as never);
      await expect(boot({ transcription: { text: 'nope' } })).rejects.toThrow(/'transcription' must be a TranscriptionService/);
      await expect(boot({ maxAudioBytes: 0 })).rejects.toThrow(CopilotKitConfigurationError);
      expect(() => new OpenAITranscriptionService({ client: {} as never })).toThrow(/audio\.transcriptions\.create/);
    });
  });
});
