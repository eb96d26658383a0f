import {
  Body,
  type CanActivate,
  Controller,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  Module,
  Post,
  UnauthorizedException,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { CopilotKitConfigurationError, CopilotKitModule, CopilotRuntime } from '../../lib/index.js';
import { AgentProbe, ScriptedAgent } from '../fixtures/test-agents.js';
import { startApp, startCopilotKit, type TestApp } from '../fixtures/test-app.js';
import { openSse, postJson, postSse, runInput } from '../fixtures/sse-client.js';

@Injectable()
class TokenService {
  isValid(header: string | undefined): boolean {
    return header === 'Bearer good';
  }
}

@Module({ providers: [TokenService], exports: [TokenService] })
class AuthModule {}

/** A guard with a dependency of its own: it only resolves when `imports` brings AuthModule in. */
@Injectable()
class BearerGuard implements CanActivate {
  constructor(private readonly tokens: TokenService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string> }>();
    if (!request.headers.authorization) throw new UnauthorizedException();
    if (!this.tokens.isValid(request.headers.authorization)) throw new ForbiddenException();
    return true;
  }
}

class DenyAllGuard implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

describe('CopilotKitModule', () => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  async function start(...args: Parameters<typeof startCopilotKit>): Promise<TestApp> {
    const app = await startCopilotKit(...args);
    apps.push(app);
    return app;
  }

  describe('guards', () => {
    it('denies a run with 403 JSON before any stream, and the agent never runs', async () => {
      const probe = new AgentProbe();
      const server = await start({ agents: { echo: new ScriptedAgent(probe) }, guards: [BearerGuard], imports: [AuthModule] });

      const denied = await postJson(`${server.url}/agent/echo/run`, runInput(), { headers: { authorization: 'Bearer bad' } });
      const anonymous = await postJson(`${server.url}/agent/echo/run`, runInput());
      const info = await fetch(`${server.url}/info`);

      expect(denied.status).toBe(403);
      expect(denied.headers.get('content-type')).toMatch(/^application\/json/);
      expect(denied.json).toMatchObject({ statusCode: 403 });
      expect(anonymous.status).toBe(401);
      expect(info.status).toBe(401);
      expect(probe.runs).toBe(0);

      const allowed = await postSse(`${server.url}/agent/echo/run`, runInput(), { headers: { authorization: 'Bearer good' } });
      expect(allowed.status).toBe(200);
      expect(probe.runs).toBe(1);
    });

    it('is protected by the application-wide guards too', async () => {
      const probe = new AgentProbe();
      const server = await start(
        { agents: { echo: new ScriptedAgent(probe) } },
        { providers: [{ provide: APP_GUARD, useClass: DenyAllGuard }] },
      );

      const run = await postJson(`${server.url}/agent/echo/run`, runInput());
      const envelope = await postJson(server.url, { method: 'agent/run', params: { agentId: 'echo' }, body: runInput() });

      expect(run.status).toBe(403);
      expect(envelope.status).toBe(403);
      expect(probe.runs).toBe(0);
    });

    it('fails at boot, naming the guard, when its dependencies are not imported', async () => {
      const moduleRef = Test.createTestingModule({
        imports: [CopilotKitModule.forRoot({ agents: {}, guards: [BearerGuard] })],
      });
      await expect(moduleRef.compile()).rejects.toThrow(/BearerGuard/);
    });
  });

  describe('configuration', () => {
    it('serves under forRootAsync with the factory resolved through DI', async () => {
      @Module({ providers: [{ provide: 'GREETING', useValue: 'from DI' }], exports: ['GREETING'] })
      class ConfigModule {}
      const server = await startApp(
        [
          CopilotKitModule.forRootAsync({
            imports: [ConfigModule],
            inject: ['GREETING'],
            useFactory: async (greeting: string) => ({
              agents: { echo: new ScriptedAgent(new AgentProbe(), { deltas: () => [greeting] }) },
            }),
            path: 'ai',
          }),
        ],
        { mount: 'ai' },
      );
      apps.push(server);

      const { events } = await postSse(`${server.url}/agent/echo/run`, runInput());
      expect(events.find((e) => e.type === 'TEXT_MESSAGE_CONTENT')?.delta).toBe('from DI');
    });

    it('composes its path with the global prefix', async () => {
      const server = await start({ agents: { echo: new ScriptedAgent() }, path: '/assistant/' }, { globalPrefix: 'api' });
      expect(server.url).toMatch(/\/api\/assistant$/);
      expect((await fetch(`${server.url}/info`)).status).toBe(200);
      expect((await fetch(`${server.origin}/assistant/info`)).status).toBe(404);
    });

    it('builds agents per request with a factory that sees the request', async () => {
      const server = await start({
        agents: ({ request }) => {
          const tenant = (request as { headers: Record<string, string> }).headers['x-tenant'] ?? 'nobody';
          return { [`${tenant}-bot`]: new ScriptedAgent(new AgentProbe(), { deltas: () => [`hello ${tenant}`] }) };
        },
      });

      const info = await (await fetch(`${server.url}/info`, { headers: { 'x-tenant': 'acme' } })).json();
      const run = await postSse(`${server.url}/agent/acme-bot/run`, runInput(), { headers: { 'x-tenant': 'acme' } });
      const other = await postJson(`${server.url}/agent/acme-bot/run`, runInput(), { headers: { 'x-tenant': 'globex' } });

      expect(Object.keys(info.agents)).toEqual(['acme-bot']);
      expect(run.events.find((e) => e.type === 'TEXT_MESSAGE_CONTENT')?.delta).toBe('hello acme');
      expect(other.status).toBe(404);
    });

    it('exposes CopilotRuntime for use without HTTP', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [CopilotKitModule.forRoot({ agents: { echo: new ScriptedAgent() } })],
      }).compile();
      const runtime = moduleRef.get(CopilotRuntime);
      const events: string[] = [];
      const input = runInput({ text: 'direct' });

      await new Promise<void>((resolve) => {
        void runtime.run('echo', input).then((stream) => stream.subscribe({ next: (e) => events.push(e.type), complete: resolve }));
      });

      expect(events.at(0)).toBe('RUN_STARTED');
      expect(events.at(-1)).toBe('RUN_FINISHED');
      await moduleRef.close();
    });

    it.each([
      ['an agent id that is not URL-safe', { agents: { 'my agent': new ScriptedAgent() } }, /not URL-safe/],
      ['an agent without run()', { agents: { echo: { description: 'x' } } }, /agent 'echo' has no run\(input\) method/],
      ['an unknown option', { agents: {}, agent: {} }, /unknown option 'agent'/],
      ['a negative heartbeat', { heartbeatMs: -1 }, /'heartbeatMs'/],
      ['a runner that is not one', { runner: {} }, /'runner' must implement AgentRunner/],
      ['an unreadable body limit', { bodyLimit: 'lots' }, /'bodyLimit' must be a size/],
    ])('fails at boot with a clear message for %s', async (_case, options, message) => {
      const compile = Test.createTestingModule({ imports: [CopilotKitModule.forRoot(options as never)] }).compile();
      await expect(compile).rejects.toThrow(CopilotKitConfigurationError);
      await expect(Test.createTestingModule({ imports: [CopilotKitModule.forRoot(options as never)] }).compile()).rejects.toThrow(message);
    });

    it('rejects a path with route parameters and a forRootAsync without a factory', () => {
      expect(() => CopilotKitModule.forRoot({ path: 'copilot/:id' })).toThrow(/'path' must be a plain URL path/);
      expect(() => CopilotKitModule.forRootAsync({} as never)).toThrow(/useFactory, useClass or useExisting/);
    });
  });

  describe('streams', () => {
    it('sends a heartbeat comment while the agent is silent', async () => {
      const server = await start({
        agents: { quiet: new ScriptedAgent(new AgentProbe(), { delayMs: 120, deltas: () => ['a', 'b'] }) },
        heartbeatMs: 50,
      });
      const result = await postSse(`${server.url}/agent/quiet/run`, runInput());
      expect(result.body).toContain(': ping\n\n');
      expect(result.events.at(-1)?.type).toBe('RUN_FINISHED');
    });

    it('keeps the run going when the client disconnects, and it stays replayable', async () => {
      const probe = new AgentProbe();
      const server = await start({ agents: { slow: new ScriptedAgent(probe, { delayMs: 20, deltas: () => ['1', '2', '3', '4', '5'] }) } });
      const input = runInput();
      const stream = await openSse(`${server.url}/agent/slow/run`, input);
      await stream.waitFor((e) => e.type === 'TEXT_MESSAGE_CONTENT');

      stream.abort();
      await stream.done;
      await waitUntil(() => probe.completedRuns === 1);

      expect(probe.abortRunCalls).toBe(0);
      const replay = await postSse(`${server.url}/agent/slow/connect`, { threadId: input.threadId });
      expect(replay.events.find((e) => e.type === 'TEXT_MESSAGE_CONTENT')?.delta).toBe('12345');
      expect((await fetch(`${server.url}/info`)).status).toBe(200);
    });

    it('stops the run on disconnect when cancelRunOnDisconnect is set', async () => {
      const probe = new AgentProbe();
      const server = await start({
        agents: { slow: new ScriptedAgent(probe, { delayMs: 20, deltas: () => Array.from({ length: 100 }, () => 'x') }) },
        cancelRunOnDisconnect: true,
      });
      const input = runInput();
      const stream = await openSse(`${server.url}/agent/slow/run`, input);
      await stream.waitFor((e) => e.type === 'TEXT_MESSAGE_CONTENT');

      stream.abort();
      await waitUntil(() => probe.abortRunCalls === 1);

      const replay = await postSse(`${server.url}/agent/slow/connect`, { threadId: input.threadId });
      expect(replay.events.at(-1)).toEqual({ type: 'RUN_FINISHED', threadId: input.threadId, runId: input.runId });
      expect(probe.completedRuns).toBe(0);
    });
  });

  describe('body limit', () => {
    /** Past the app's own default on either platform (Express 100 kB, Fastify 1 MiB), far below 10 MB. */
    const bigInput = () => runInput({ text: 'x'.repeat(1_500_000) });

    @Controller('other')
    class OtherController {
      @Post()
      take(@Body() body: unknown) {
        return { size: JSON.stringify(body).length };
      }
    }
    @Module({ controllers: [OtherController] })
    class OtherModule {}

    it('takes conversations far above the platform’s default on its own routes only', async () => {
      const server = await startApp([CopilotKitModule.forRoot({ agents: { echo: new ScriptedAgent() } }), OtherModule]);
      apps.push(server);
      const run = await postSse(`${server.url}/agent/echo/run`, bigInput());
      expect(run.status).toBe(200);
      expect(run.events.at(-1)?.type).toBe('RUN_FINISHED');
      const elsewhere = await postJson(`${server.origin}/other`, bigInput());
      expect(elsewhere.status).toBe(413);
      expect((await postJson(`${server.origin}/other`, { small: true })).status).toBe(201);
    });

    it('answers 413 JSON past a configured limit', async () => {
      const server = await start({ agents: { echo: new ScriptedAgent() }, bodyLimit: '100kb' });
      const { status, json, headers } = await postJson(`${server.url}/agent/echo/run`, runInput({ text: 'x'.repeat(300_000) }));
      expect(status).toBe(413);
      expect(headers.get('content-type')).toMatch(/^application\/json/);
      expect(json).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        message: 'The request body is larger than the limit of 102400 bytes.',
      });
      expect((await fetch(`${server.url}/info`)).status).toBe(200);
    });
  });

  describe('single-route envelope', () => {
    let server: TestApp;
    beforeEach(async () => {
      server = await start({ agents: { echo: new ScriptedAgent() } });
    });

    it('serves info, run, connect and stop from one POST route', async () => {
      const info = await postJson(server.url, { method: 'info' });
      expect(info.status).toBe(200);
      expect(Object.keys(info.json.agents)).toEqual(['echo']);
      // The envelope carries no thread routes, so info must not promise them.
      expect(info.json.threadEndpoints).toEqual({ list: false, inspect: false, mutations: false, realtimeMetadata: false });

      const input = runInput();
      const run = await postSse(server.url, { method: 'agent/run', params: { agentId: 'echo' }, body: input });
      expect(run.events.at(-1)).toMatchObject({ type: 'RUN_FINISHED', runId: input.runId });

      const connect = await postSse(server.url, {
        method: 'agent/connect',
        params: { agentId: 'echo' },
        body: { threadId: input.threadId },
      });
      expect(connect.events.map((e) => e.type)).toEqual([
        'RUN_STARTED',
        'TEXT_MESSAGE_START',
        'TEXT_MESSAGE_CONTENT',
        'TEXT_MESSAGE_END',
        'RUN_FINISHED',
      ]);

      const stop = await postJson(server.url, { method: 'agent/stop', params: { agentId: 'echo', threadId: input.threadId } });
      expect(stop.json).toEqual({ stopped: false, message: `No active run for thread '${input.threadId}'.` });
    });

    it.each([
      [{ params: {} }, 400, /Missing 'method'/],
      [{ method: 'inspector/metadata', params: {} }, 400, /Unsupported method 'inspector\/metadata'/],
      [{ method: 'agent/suggest', params: { agentId: 'echo' } }, 400, /Missing 'body'/],
      [{ method: 'agent/run', params: {}, body: {} }, 400, /params.agentId/],
      [{ method: 'agent/run', params: { agentId: 'echo' } }, 400, /Missing 'body'/],
      [{ method: 'agent/stop', params: { agentId: 'echo' } }, 400, /params.threadId/],
      [{ method: 'agent/run', params: { agentId: 'ghost' }, body: runInput() }, 404, /does not exist/],
    ])('answers %j with %i JSON', async (envelope, status, message) => {
      const response = await postJson(server.url, envelope);
      expect(response.status).toBe(status);
      expect(response.json.message).toMatch(message);
    });

    it('answers 415 to a body that is not JSON', async () => {
      const response = await fetch(server.url, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'info' });
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ statusCode: 415 });
    });

    it('answers 405 with Allow: POST to a GET on the mount point', async () => {
      const response = await fetch(server.url);
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    });
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
