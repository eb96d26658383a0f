import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import pg from 'pg';
import type { BaseEvent } from '@ag-ui/core';
import {
  CopilotKitConfigurationError,
  CopilotKitModule,
  CopilotRuntime,
  InMemoryAgentRunner,
  RedisPostgresAgentRunner,
  SqliteAgentRunner,
  type AgentRunner,
  type RedisPostgresAgentRunnerOptions,
} from '../../lib/index.js';
import { ScriptedAgent } from '../fixtures/test-agents.js';
import { startApp, startCopilotKit, type TestApp } from '../fixtures/test-app.js';
import { openSse, postSse, runInput } from '../fixtures/sse-client.js';
import { TcpProxy } from '../fixtures/tcp-proxy.js';

const id = randomUUID().replace(/-/g, '').slice(0, 12);
const schema = `copilotkit_lifecycle_${id}`;
const postgresAt = (port: number) => `postgres://postgres@127.0.0.1:${port}/test`;
const distributed = (extra: Partial<RedisPostgresAgentRunnerOptions>): RedisPostgresAgentRunnerOptions => ({
  postgres: { connectionString: postgresAt(5432) },
  schema,
  redis: { host: '127.0.0.1', port: 6379 },
  keyPrefix: `copilotkit-lifecycle-${id}`,
  retry: { firstDelayMs: 100, maxDelayMs: 400 },
  ...extra,
});
const agents = () => ({ echo: new ScriptedAgent() });
/** Each recovery test waits for real reconnections and backoff. */
const SLOW = 30_000;

async function request(url: string, body?: unknown) {
  const response = await fetch(
    url,
    body === undefined ? {} : { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } },
  );
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: text.startsWith('{') ? JSON.parse(text) : text };
}

/** The 503 a client can retry: the shared body, and a Retry-After in whole seconds. */
async function expectUnavailable(url: string, body: unknown, message: RegExp): Promise<void> {
  expect(await request(url, body)).toEqual({
    status: 503,
    retryAfter: expect.stringMatching(/^[1-9]\d*$/),
    body: { statusCode: 503, error: 'Service Unavailable', message: expect.stringMatching(message) },
  });
}

/** Once a service is cut off, the first requests may still find a connection that has not noticed yet. */
async function untilRefused(url: string, body: unknown, deadlineMs = 5000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while ((await request(url, body)).status !== 503 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** Runs until one streams to its end (the service came back), or the deadline passes. */
async function runOnceBack(server: TestApp, deadlineMs = 10_000) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const result = await postSse(`${server.url}/agent/echo/run`, runInput());
    if (result.status === 200 || Date.now() > deadline) return result;
    expect(result.status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The run that streamed `events` replays from the store to the same text and the same end. */
async function expectReplayed(server: TestApp, events: Array<BaseEvent & Record<string, any>>): Promise<void> {
  const text = (list: Array<BaseEvent & Record<string, any>>) =>
    list
      .filter((event) => event.type === 'TEXT_MESSAGE_CONTENT')
      .map((event) => event.delta)
      .join('');
  const replay = await postSse(`${server.url}/agent/echo/connect`, { threadId: events[0].threadId });
  expect(replay.status).toBe(200);
  expect(text(replay.events)).toBe(text(events));
  expect(replay.events.at(-1)).toMatchObject({ type: events.at(-1)!.type });
}

async function timed(work: Promise<unknown>): Promise<number> {
  const started = Date.now();
  await work;
  return Date.now() - started;
}

afterAll(async () => {
  const admin = new pg.Client({ connectionString: postgresAt(5432) });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

describe('RedisPostgresAgentRunner when PostgreSQL is away', () => {
  it('connects nothing until the app starts', async () => {
    const postgres = new TcpProxy({ host: '127.0.0.1', port: 5432 });
    const redis = new TcpProxy({ host: '127.0.0.1', port: 6379 });
    await Promise.all([postgres.up(), redis.up()]);
    try {
      const runner = new RedisPostgresAgentRunner(
        distributed({ postgres: { connectionString: postgresAt(postgres.port) }, redis: { host: '127.0.0.1', port: redis.port } }),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect([postgres.connections, redis.connections]).toEqual([0, 0]);

      const server = await startCopilotKit({ agents: agents(), runner });
      expect(postgres.connections).toBeGreaterThan(0);
      expect(redis.connections).toBeGreaterThan(0);
      await server.close();
    } finally {
      await Promise.all([postgres.stop(), redis.stop()]);
    }
  });

  it(
    'boots while PostgreSQL is down, answers 503 with Retry-After, and serves runs once it is back',
    async () => {
      const postgres = await TcpProxy.down({ host: '127.0.0.1', port: 5432 });
      const server = await startCopilotKit({
        agents: agents(),
        runner: new RedisPostgresAgentRunner(distributed({ postgres: { connectionString: postgresAt(postgres.port) } })),
      });
      try {
        await expectUnavailable(`${server.url}/agent/echo/run`, runInput(), /thread store/);
        await expectUnavailable(`${server.url}/threads`, undefined, /thread store/);
        await expectUnavailable(`${server.url}/agent/echo/connect`, { threadId: randomUUID() }, /thread store/);

        await postgres.up();
        const back = await runOnceBack(server);
        expect(back.status).toBe(200);
        expect(back.events.at(-1)).toMatchObject({ type: 'RUN_FINISHED' });
        expect((await request(`${server.url}/threads`)).status).toBe(200);

        // Gone again after it was up: still a 503 to retry, not a 500, and runs again once back.
        await postgres.stop();
        await untilRefused(`${server.url}/agent/echo/run`, runInput());
        await expectUnavailable(`${server.url}/agent/echo/run`, runInput(), /thread store/);
        await expectUnavailable(`${server.url}/threads`, undefined, /thread store/);
        await postgres.up();
        expect((await runOnceBack(server)).events.at(-1)).toMatchObject({ type: 'RUN_FINISHED' });
        // What was stored before the outage is all there after it.
        await expectReplayed(server, back.events);

        await postgres.stop();
        expect(await timed(server.close())).toBeLessThan(5000);
      } finally {
        await postgres.stop();
      }
    },
    SLOW,
  );

  it(
    'closes within its bounds while PostgreSQL hangs with a run in flight',
    async () => {
      const postgres = new TcpProxy({ host: '127.0.0.1', port: 5432 });
      await postgres.up();
      const slow = new ScriptedAgent(undefined, { delayMs: 20, deltas: () => Array.from({ length: 200 }, (_, i) => `${i} `) });
      const server = await startCopilotKit({
        agents: { slow },
        runner: new RedisPostgresAgentRunner(
          distributed({ postgres: { connectionString: postgresAt(postgres.port) }, shutdownGraceMs: 200, closeTimeoutMs: 500 }),
        ),
      });
      try {
        const stream = await openSse(`${server.url}/agent/slow/run`, runInput());
        await stream.waitFor(() => stream.events.length >= 3);
        postgres.hang();

        // Grace (200 ms), storing the ended run (500), closing the pool (500), Redis: nothing waits for PostgreSQL.
        expect(await timed(server.close())).toBeLessThan(4000);
        await stream.done;
        expect(stream.events.at(-1)).toMatchObject({ type: 'RUN_ERROR' });
      } finally {
        await postgres.stop();
      }
    },
    SLOW,
  );
});

describe('RedisPostgresAgentRunner when Redis is away', () => {
  it(
    'boots while Redis is down, answers 503 to runs (threads still answer), and runs once it is back',
    async () => {
      const redis = await TcpProxy.down({ host: '127.0.0.1', port: 6379 });
      const server = await startCopilotKit({
        agents: agents(),
        runner: new RedisPostgresAgentRunner(distributed({ redis: { host: '127.0.0.1', port: redis.port } })),
      });
      try {
        await expectUnavailable(`${server.url}/agent/echo/run`, runInput(), /Redis/);
        expect((await request(`${server.url}/threads`)).status).toBe(200);

        await redis.up();
        const back = await runOnceBack(server);
        expect(back.status).toBe(200);
        expect(back.events.at(-1)).toMatchObject({ type: 'RUN_FINISHED' });

        await redis.stop();
        await untilRefused(`${server.url}/agent/echo/run`, runInput());
        await expectUnavailable(`${server.url}/agent/echo/run`, runInput(), /Redis/);
        // History lives in PostgreSQL: while Redis is away, it is read back whole.
        await expectReplayed(server, back.events);
        expect(await timed(server.close())).toBeLessThan(5000);
      } finally {
        await redis.stop();
      }
    },
    SLOW,
  );
});

describe('SqliteAgentRunner when its file cannot be opened', () => {
  const dir = mkdtempSync(join(tmpdir(), 'copilotkit-lifecycle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('opens nothing until the app starts', async () => {
    const path = join(dir, 'lazy.sqlite');
    const runner = new SqliteAgentRunner({ path });
    expect(existsSync(path)).toBe(false);
    const server = await startCopilotKit({ agents: agents(), runner });
    expect(existsSync(path)).toBe(true);
    await server.close();
  });

  it(
    'boots, answers 503 while the file cannot be created, and serves runs once it can',
    async () => {
      // A regular file where the directory should be: refused even to root, unlike a chmod.
      const parent = join(dir, 'not-a-directory');
      writeFileSync(parent, '');
      const server = await startCopilotKit({
        agents: agents(),
        runner: new SqliteAgentRunner({ path: join(parent, 'threads.sqlite'), retry: { firstDelayMs: 100, maxDelayMs: 400 } }),
      });
      try {
        await expectUnavailable(`${server.url}/agent/echo/run`, runInput(), /thread store/);
        await expectUnavailable(`${server.url}/threads`, undefined, /thread store/);

        rmSync(parent);
        mkdirSync(parent);
        const back = await runOnceBack(server);
        expect(back.status).toBe(200);
        expect(back.events.at(-1)).toMatchObject({ type: 'RUN_FINISHED' });
        expect(existsSync(join(parent, 'threads.sqlite'))).toBe(true);
      } finally {
        expect(await timed(server.close())).toBeLessThan(5000);
      }
    },
    SLOW,
  );
});

/** What the runner forms below get injected. */
@Injectable()
class RunnerSettings {
  readonly maxThreads = 7;
}

@Module({ providers: [RunnerSettings], exports: [RunnerSettings] })
class SettingsModule {}

const lifecycle: string[] = [];

@Injectable()
class TrackedRunner extends InMemoryAgentRunner {
  constructor(readonly settings: RunnerSettings) {
    super({ maxThreads: settings.maxThreads });
  }
  override async start(): Promise<void> {
    lifecycle.push('start');
    await super.start();
  }
  override async drain(): Promise<void> {
    lifecycle.push('drain');
    await super.drain();
  }
  override async close(): Promise<void> {
    lifecycle.push('close');
    await super.close();
  }
}

describe('the runner option', () => {
  beforeEach(() => (lifecycle.length = 0));

  async function serve(runner: unknown, async = false): Promise<TestApp> {
    const options = { agents: agents(), runner: runner as AgentRunner };
    return startApp([
      async
        ? CopilotKitModule.forRootAsync({ imports: [SettingsModule], useFactory: () => options })
        : CopilotKitModule.forRoot({ ...options, imports: [SettingsModule] }),
    ]);
  }

  it.each([false, true])('takes an injectable AgentRunner class, built with its dependencies (forRootAsync: %s)', async (async) => {
    const server = await serve(TrackedRunner, async);
    const runner = server.app.get(CopilotRuntime).runner as TrackedRunner;
    expect(runner).toBeInstanceOf(TrackedRunner);
    expect(runner.settings).toBeInstanceOf(RunnerSettings);
    expect(lifecycle).toEqual(['start']);
    expect((await postSse(`${server.url}/agent/echo/run`, runInput())).events.at(-1)).toMatchObject({ type: 'RUN_FINISHED' });
    await server.close();
    expect(lifecycle).toEqual(['start', 'drain', 'close']);
  });

  it('takes { useFactory, inject }, called with the injected providers', async () => {
    const calls: unknown[][] = [];
    const server = await serve({
      useFactory: async (settings: RunnerSettings, missing: unknown) => {
        calls.push([settings, missing]);
        return new TrackedRunner(settings);
      },
      inject: [RunnerSettings, { token: 'NOT_PROVIDED', optional: true }],
    });
    expect(calls).toEqual([[expect.any(RunnerSettings), undefined]]);
    expect(server.app.get(CopilotRuntime).runner).toBeInstanceOf(TrackedRunner);
    expect(lifecycle).toEqual(['start']);
    expect((await postSse(`${server.url}/agent/echo/run`, runInput())).events.at(-1)).toMatchObject({ type: 'RUN_FINISHED' });
    await server.close();
    expect(lifecycle).toEqual(['start', 'drain', 'close']);
  });

  it.each<[string, unknown, RegExp]>([
    [
      'a string',
      'sqlite',
      /'runner' must implement AgentRunner; it lacks begin, .* \(got string\): give an instance .*\{ useFactory, inject \}/,
    ],
    [
      'an arrow function',
      () => new InMemoryAgentRunner(),
      /'runner' is a function \(anonymous\) but not an AgentRunner class.*\{ useFactory, inject \}/,
    ],
    ['a class that is no runner', RunnerSettings, /'runner' is a function \(RunnerSettings\) but not an AgentRunner class, it lacks begin/],
    ['a factory that is no function', { useFactory: 'new InMemoryAgentRunner()' }, /'runner.useFactory' must be a function/],
    [
      'a factory that builds no runner',
      { useFactory: () => ({}) },
      /the 'runner' factory gave something that is not an AgentRunner: it lacks begin/,
    ],
  ])('fails at boot with a clear message for %s', async (_case, runner, message) => {
    const compile = Test.createTestingModule({ imports: [CopilotKitModule.forRoot({ runner: runner as AgentRunner })] }).compile();
    await expect(compile).rejects.toThrow(CopilotKitConfigurationError);
    await expect(
      Test.createTestingModule({ imports: [CopilotKitModule.forRoot({ runner: runner as AgentRunner })] }).compile(),
    ).rejects.toThrow(message);
  });

  it("fails at boot with Nest's message naming a dependency the runner cannot get", async () => {
    await expect(Test.createTestingModule({ imports: [CopilotKitModule.forRoot({ runner: TrackedRunner })] }).compile()).rejects.toThrow(
      /TrackedRunner.*RunnerSettings/s,
    );
    await expect(
      Test.createTestingModule({
        imports: [CopilotKitModule.forRoot({ runner: { useFactory: () => new InMemoryAgentRunner(), inject: [RunnerSettings] } })],
      }).compile(),
    ).rejects.toThrow(/RunnerSettings/);
  });
});
