import { randomUUID } from 'node:crypto';
import { HttpAgent } from '@ag-ui/client';
import { HttpAgent as HttpAgent0059 } from 'ag-ui-client-0059';
import { jest } from '@jest/globals';
import {
  Catch,
  ClassSerializerInterceptor,
  Injectable,
  Logger,
  type ArgumentsHost,
  type CallHandler,
  type ExceptionFilter,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, HttpAdapterHost, Reflector } from '@nestjs/core';
import { concat, map, take, throwError, type Observable } from 'rxjs';
import { CopilotKitModule, CopilotThreads, InMemoryAgentRunner, ThreadBusyException, type PreparedRun } from '../../lib/index.js';
import { AgentProbe, ScriptedAgent } from '../fixtures/test-agents.js';
import { startApp, type TestApp } from '../fixtures/test-app.js';
import { openSse, openUnreadStream, postJson, postSse, runInput } from '../fixtures/sse-client.js';
import { StreamMetricsInterceptor } from '../readme/stream-metrics.interceptor.js';
import { EnvelopeInterceptor } from '../readme/envelope.interceptor.js';

const clients = [
  ['@ag-ui/client 1.0.0', (url: string, threadId: string) => new HttpAgent({ url, threadId })],
  ['@ag-ui/client 0.0.59', (url: string, threadId: string) => new HttpAgent0059({ url, threadId })],
] as const;

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('run and connect are @Sse() routes seen by the app interceptors', () => {
  let server: TestApp;
  const probe = new AgentProbe();

  beforeAll(async () => {
    server = await startApp(
      [
        CopilotKitModule.forRoot({
          agents: { echo: new ScriptedAgent(probe), quiet: new ScriptedAgent(probe, { delayMs: 120, deltas: () => ['a', 'b'] }) },
          heartbeatMs: 40,
        }),
      ],
      {
        providers: [
          StreamMetricsInterceptor,
          { provide: APP_INTERCEPTOR, useExisting: StreamMetricsInterceptor },
          { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
          {
            provide: APP_INTERCEPTOR,
            useFactory: (reflector: Reflector) => new ClassSerializerInterceptor(reflector),
            inject: [Reflector],
          },
        ],
      },
    );
  });
  afterAll(() => server.close());

  it.each(clients)(
    '%s runs through an envelope interceptor that skips streams, ClassSerializerInterceptor and a tap',
    async (_name, createAgent) => {
      const metrics = server.app.get(StreamMetricsInterceptor);
      const before = metrics.counts.get('TEXT_MESSAGE_CONTENT') ?? 0;
      const warn = jest.spyOn(console, 'warn');
      const error = jest.spyOn(console, 'error');
      try {
        const agent = createAgent(`${server.url}/agent/quiet/run`, randomUUID());
        agent.addMessage({ id: randomUUID(), role: 'user', content: 'hi' });

        const result = await agent.runAgent();

        expect(result.newMessages).toEqual([expect.objectContaining({ role: 'assistant', content: 'ab' })]);
        expect([...warn.mock.calls, ...error.mock.calls]).toEqual([]);
      } finally {
        warn.mockRestore();
        error.mockRestore();
      }
      // The tap saw each AG-UI event, and the heartbeats sent while the agent was silent.
      expect((metrics.counts.get('TEXT_MESSAGE_CONTENT') ?? 0) - before).toBe(2);
      expect(metrics.counts.get('heartbeat')).toBeGreaterThan(0);
    },
  );

  it('sends ids and heartbeat comments as Nest writes them, with status 200 to a POST', async () => {
    const input = runInput();
    const result = await postSse(`${server.url}/agent/quiet/run`, input);

    expect(result.status).toBe(200);
    expect(result.headers.get('cache-control')).toContain('no-transform');
    expect(result.headers.get('x-accel-buffering')).toBe('no');
    expect(result.body).toContain('\n: ping\n\n');
    const ids = [...result.body.matchAll(/^id: (.*)$/gm)].map((match) => match[1]);
    expect(ids).toEqual(result.events.map((_event, index) => `${input.runId}:${index}`));
  });

  it('leaves the JSON answers alone: the envelope interceptor does not wrap /info', async () => {
    const info = await (await fetch(`${server.url}/info`)).json();
    expect(info.agents.echo).toBeDefined();
  });
});

/** The envelope most Nest apps copy from the docs, without a way out for streams. */
@Injectable()
class WrapEverything implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((data: unknown) => ({ data })));
  }
}

describe('an interceptor that wraps stream events', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startApp([CopilotKitModule.forRoot({ agents: { echo: new ScriptedAgent() } })], {
      providers: [{ provide: APP_INTERCEPTOR, useClass: WrapEverything }],
    });
  });
  afterAll(() => server.close());

  it('breaks the stream loudly: the client fails, and the log says how to let streams through', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const agent = new HttpAgent({ url: `${server.url}/agent/echo/run`, threadId: randomUUID() });
      agent.addMessage({ id: randomUUID(), role: 'user', content: 'hi' });

      await expect(agent.runAgent()).rejects.toThrow();

      const said = warn.mock.calls.map((call) => String(call[0]));
      expect(said).toContainEqual(expect.stringContaining('if (isCopilotKitStream(context)) return next.handle();'));
    } finally {
      warn.mockRestore();
      consoleError.mockRestore();
    }
  });
});

@Catch(ThreadBusyException)
class BusyFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(_error: ThreadBusyException, host: ArgumentsHost): void {
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), { busy: true }, 409);
  }
}

/** A custom runner whose stream fails after it started, which the built-in runners never do. */
class BrokenRunner extends InMemoryAgentRunner {
  override async execute(run: PreparedRun) {
    const events = await super.execute(run);
    return concat(
      events.pipe(take(2)),
      throwError(() => new Error('the runner broke')),
    );
  }
}

describe('stream errors', () => {
  it('before the first byte go through exception filters; after it, end the stream with RUN_ERROR', async () => {
    const server = await startApp(
      [CopilotKitModule.forRoot({ agents: { slow: new ScriptedAgent(new AgentProbe(), { delayMs: 30, deltas: () => ['1', '2', '3'] }) } })],
      { providers: [{ provide: APP_FILTER, useClass: BusyFilter }] },
    );
    const broken = await startApp([CopilotKitModule.forRoot({ agents: { echo: new ScriptedAgent() }, runner: new BrokenRunner() })]);
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const input = runInput();
      const first = await openSse(`${server.url}/agent/slow/run`, input);
      const second = await fetch(`${server.url}/agent/slow/run`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(runInput({ threadId: input.threadId })),
      });
      expect(second.status).toBe(409);
      expect(await second.json()).toEqual({ busy: true });
      await first.done;

      const failed = await postSse(`${broken.url}/agent/echo/run`, runInput());
      expect(failed.status).toBe(200);
      expect(failed.events.map((event) => event.type)).toEqual(['RUN_STARTED', 'TEXT_MESSAGE_START', 'RUN_ERROR']);
      expect(failed.events.at(-1)).toMatchObject({ code: 'STREAM_ERROR', message: 'The event stream failed.' });
      expect(logged.mock.calls.map((call) => String(call[0]))).toContainEqual(expect.stringContaining('the runner broke'));
    } finally {
      logged.mockRestore();
      await server.close();
      await broken.close();
    }
  });
});

/** A host app's logging interceptor: it only looks. */
@Injectable()
class LogEverything implements NestInterceptor {
  readonly seen: string[] = [];

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    this.seen.push(context.getHandler().name);
    return next.handle();
  }
}

describe('refusals that take a while to find, behind an interceptor', () => {
  it('are still JSON with their status: the stream has not started', async () => {
    const slowly = async () => {
      // What a database round trip takes: past the first turn of the event loop.
      await new Promise((resolve) => setTimeout(resolve, 30));
      return { slow: new ScriptedAgent(new AgentProbe(), { delayMs: 30, deltas: () => ['1', '2', '3'] }) };
    };
    const server = await startApp([CopilotKitModule.forRoot({ agents: slowly })], {
      providers: [LogEverything, { provide: APP_INTERCEPTOR, useExisting: LogEverything }],
    });
    try {
      const input = runInput();
      const first = await openSse(`${server.url}/agent/slow/run`, input);
      const busy = await postJson(`${server.url}/agent/slow/run`, runInput({ threadId: input.threadId }));
      const unknown = await postJson(`${server.url}/agent/nope/connect`, { threadId: input.threadId });
      await first.done;

      expect(busy.status).toBe(409);
      expect(busy.json).toMatchObject({ statusCode: 409 });
      expect(unknown.status).toBe(404);
      expect(first.events.at(-1)?.type).toBe('RUN_FINISHED');
      // The interceptor was on the route: it saw the run it let through.
      expect(server.app.get(LogEverything).seen).toContain('run');
    } finally {
      await server.close();
    }
  });
});

describe('a client that stops reading', () => {
  // 20 MB in frames well under either limit: more than the socket buffers on both ends hold, and
  // more than the 8 MiB default, so that only the configured limit decides.
  const chunk = 'x'.repeat(16_000);
  const deltas = 1250;

  it.each([
    ['256 kB', 'dropped', 256 * 1024],
    ['64 MiB', 'kept', 64 * 1024 * 1024],
  ] as const)(
    'with maxBufferedBytes %s, is %s while its run finishes whole',
    async (_label, fate, maxBufferedBytes) => {
      const probe = new AgentProbe();
      const server = await startApp([
        CopilotKitModule.forRoot({
          agents: { bulk: new ScriptedAgent(probe, { delayMs: 1, deltas: () => Array.from({ length: deltas }, () => chunk) }) },
          maxBufferedBytes,
          // The buffer must exceed the body limit (a run's input comes back in RUN_STARTED).
          bodyLimit: '128kb',
        }),
      ]);
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      try {
        const input = runInput();
        const client = openUnreadStream(`${server.url}/agent/bulk/run`, input);

        await waitUntil(() => probe.completedRuns === 1, 20_000);
        client.resume();
        await Promise.race([client.closed, waitUntil(() => client.received.includes('RUN_FINISHED'), 20_000)]);

        expect(client.received).toContain('HTTP/1.1 200');
        const warned = warn.mock.calls.some((call) => String(call[0]).includes('not reading'));
        expect({ finished: client.received.includes('RUN_FINISHED'), warned }).toEqual(
          fate === 'dropped' ? { finished: false, warned: true } : { finished: true, warned: false },
        );
        expect(probe.abortRunCalls).toBe(0);
        const { messages } = await server.app.get(CopilotThreads).messages(undefined, input.threadId);
        expect(messages.at(-1)).toMatchObject({ role: 'assistant' });
        expect(messages.at(-1)?.content).toHaveLength(deltas * chunk.length);
      } finally {
        warn.mockRestore();
        await server.close();
      }
    },
    60_000,
  );
});
