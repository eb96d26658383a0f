import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { EventType, type BaseEvent, type RunAgentInput } from '@ag-ui/core';
import { Injectable, Logger, Module, type CanActivate } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { LazyModuleLoader } from '@nestjs/core';
import { Redis } from 'ioredis';
import { Observable } from 'rxjs';
import {
  CopilotAction,
  CopilotContext,
  CopilotKitModule,
  CopilotRuntime,
  RedisPostgresAgentRunner,
  SqliteAgentRunner,
  SqliteThreadStore,
  InMemoryAgentRunner,
  type ActionContext,
  type AgUiAgent,
} from '../../lib/index.js';
import { ActionAuthorizer } from '../../lib/actions/action-authorizer.js';
import { AbstractAgent } from '@ag-ui/client';
import { from } from 'rxjs';
import { ActionCallingAgent } from '../fixtures/action-calling.agent.js';
import { openSse, postSse, runInput } from '../fixtures/sse-client.js';
import { startApp, startCopilotKit, type TestApp } from '../fixtures/test-app.js';
import { AgentProbe, ScriptedAgent } from '../fixtures/test-agents.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let guardBuilds = 0;

/** A guard whose first construction fails, as one whose dependency is briefly unavailable would. */
@Injectable()
class FlakyGuard implements CanActivate {
  constructor() {
    if (++guardBuilds === 1) throw new Error('not yet');
  }
  canActivate(): boolean {
    return true;
  }
}

// Guards Nest did not build at boot (an MCP server's, or one with a request-scoped dependency) are built on first use.
it('builds a guard again after its construction failed, instead of refusing with it forever', async () => {
  const moduleRef = await Test.createTestingModule({ providers: [ActionAuthorizer] }).compile();
  const authorizer = moduleRef.get(ActionAuthorizer);
  const where = { label: 'an MCP server', hostClass: FlakyGuard, handler: FlakyGuard };
  const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  try {
    expect(await authorizer.allows([FlakyGuard], { request: {} }, where)).toBe(false);
    expect(await authorizer.allows([FlakyGuard], { request: {} }, where)).toBe(true);
    expect(await authorizer.allows([FlakyGuard], { request: {} }, where)).toBe(true);
    expect(guardBuilds).toBe(2);
  } finally {
    logged.mockRestore();
    await moduleRef.close();
  }
});

@Injectable()
class StateService {
  @CopilotAction({ description: 'Emits a state that is not JSON' })
  bigState(@CopilotContext() ctx: ActionContext) {
    ctx.emitState({ total: 10n });
    return 'unreachable';
  }

  @CopilotAction({ description: 'Emits a circular state' })
  circularState(@CopilotContext() ctx: ActionContext) {
    const state: Record<string, unknown> = {};
    state.self = state;
    ctx.emitState(state);
    return 'unreachable';
  }

  @CopilotAction({ description: 'Answers' })
  plain() {
    return 'plain';
  }
}

@Injectable()
class LazyLoader {
  constructor(readonly loader: LazyModuleLoader) {}
  async load(): Promise<void> {
    const { LazyBrokenModule } = await import('../fixtures/faults/lazy-broken.module.js');
    await this.loader.load(() => LazyBrokenModule);
  }
}

@Module({ providers: [StateService, LazyLoader] })
class FaultsModule {}

type Events = Array<Record<string, any>>;
/** Tool results: an action's string as it is, anything else parsed. */
const results = (events: Events) =>
  events
    .filter((e) => e.type === 'TOOL_CALL_RESULT')
    .map((e) => {
      try {
        return JSON.parse(e.content);
      } catch {
        return e.content;
      }
    });

describe('faults that must not outlive their request', () => {
  let server: TestApp;
  const dir = mkdtempSync(join(tmpdir(), 'faults-'));

  beforeAll(async () => {
    server = await startApp([
      FaultsModule,
      CopilotKitModule.forRoot({
        agents: { default: new ActionCallingAgent(), snapshots: new BadSnapshotAgent() },
        runner: new SqliteAgentRunner({ path: join(dir, 'threads.sqlite') }),
      }),
    ]);
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = (name: string, threadId?: string) =>
    postSse(`${server.url}/agent/default/run`, runInput({ ...(threadId && { threadId }), text: JSON.stringify({ calls: [{ name }] }) }), {
      headers: { 'x-user': 'ann' },
    });

  it.each(['bigState', 'circularState'])('fails the action, not the stream, when %s emits a value that is not JSON', async (name) => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const first = await call(name);
      expect(first.status).toBe(200);
      expect(first.events.at(-1)?.type).toBe('RUN_FINISHED');
      expect(results(first.events)[0]).toMatchObject({ error: expect.any(String) });
      expect(first.events.some((e) => e.type === 'STATE_SNAPSHOT')).toBe(false);
      const threadId = first.events[0].threadId as string;
      // Stored as streamed: the thread replays and goes on.
      const replay = await postSse(`${server.url}/agent/default/connect`, { threadId });
      expect(replay.events.at(-1)?.type).toBe('RUN_FINISHED');
      expect(results((await call('plain', threadId)).events)).toEqual(['plain']);
      expect(logged.mock.calls.map((c) => String(c[0]))).toContainEqual(expect.stringContaining('cannot be sent as JSON'));
    } finally {
      logged.mockRestore();
    }
  });

  it('drops a MESSAGES_SNAPSHOT that holds no list, so the thread stays usable', async () => {
    const input = runInput();
    const first = await postSse(`${server.url}/agent/snapshots/run`, input);
    expect(first.events.some((e) => e.type === 'MESSAGES_SNAPSHOT')).toBe(false);
    const second = await postSse(`${server.url}/agent/snapshots/run`, runInput({ threadId: input.threadId, text: 'again' }));
    expect(second.status).toBe(200);
    expect(second.events.at(-1)?.type).toBe('RUN_FINISHED');
    const messages = await (await fetch(`${server.url}/threads/${input.threadId}/messages`)).json();
    expect(messages.messages.map((m: { content: string }) => m.content)).toEqual(['hello', 'ok', 'again', 'ok']);
  });

  it('leaves out a provider with a mistake in a module loaded after boot, logs it, and keeps serving the rest', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      await server.app.get(LazyLoader).load();
      const info = await fetch(`${server.url}/info`);
      expect(info.status).toBe(200);
      expect(logged.mock.calls.map((c) => String(c[0]))).toContainEqual(expect.stringMatching(/BrokenLazyService.*loaded after boot/));
      const names = server.app
        .get(CopilotRuntime)
        .actions.list()
        .map((action) => action.name);
      expect(names).toContain('lazyWorks');
      expect(names).not.toContain('undescribed');
      expect(results((await call('lazyWorks')).events)).toEqual(['works']);
      expect((await fetch(`${server.url}/info`)).status).toBe(200);
    } finally {
      logged.mockRestore();
    }
  });
});

/** Answers, then emits a MESSAGES_SNAPSHOT without its list. */
class BadSnapshotAgent implements AgUiAgent {
  run(input: RunAgentInput): Observable<BaseEvent> {
    return new Observable<BaseEvent>((subscriber) => {
      const messageId = randomUUID();
      for (const event of [
        { type: EventType.RUN_STARTED, threadId: input.threadId, runId: input.runId },
        { type: EventType.TEXT_MESSAGE_START, messageId, role: 'assistant' },
        { type: EventType.TEXT_MESSAGE_CONTENT, messageId, delta: 'ok' },
        { type: EventType.TEXT_MESSAGE_END, messageId },
        { type: EventType.MESSAGES_SNAPSHOT },
        { type: EventType.RUN_FINISHED, threadId: input.threadId, runId: input.runId },
      ]) {
        subscriber.next(event as BaseEvent);
      }
      subscriber.complete();
    });
  }
}

describe('messages on the Redis channels that this runner did not publish', () => {
  const id = randomUUID().replace(/-/g, '').slice(0, 12);
  const keyPrefix = `copilotkit-faults-${id}`;
  const options = (name: string) => ({
    postgres: { connectionString: 'postgres://postgres@127.0.0.1:5432/test', application_name: `faults_${id}_${name}` },
    schema: `copilotkit_faults_${id}`,
    redis: { host: '127.0.0.1', port: 6379 },
    keyPrefix,
  });
  const probe = new AgentProbe();
  const slow = () => new ScriptedAgent(probe, { delayMs: 15, deltas: () => Array.from({ length: 20 }, (_, i) => `${i} `) });

  it('are ignored and logged; runs and followers go on', async () => {
    const a = await startCopilotKit({ agents: { slow: slow() }, runner: new RedisPostgresAgentRunner(options('a')) });
    const b = await startCopilotKit({ agents: { slow: slow() }, runner: new RedisPostgresAgentRunner(options('b')) });
    const redis = new Redis({ host: '127.0.0.1', port: 6379 });
    const warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const input = runInput();
      const running = await openSse(`${a.url}/agent/slow/run`, input);
      await running.waitFor((event) => event.type === 'TEXT_MESSAGE_CONTENT');
      const following = await openSse(`${b.url}/agent/slow/connect`, { threadId: input.threadId });
      await following.waitFor((event) => event.type === 'TEXT_MESSAGE_CONTENT');
      for (const garbage of ['not json', '{"fromSeq":"x"}', 'null', '{"threadId":1}']) {
        await redis.publish(`${keyPrefix}:control`, garbage);
        await redis.publish(`${keyPrefix}:run:${input.threadId}:${input.runId}`, garbage);
      }
      await running.done;
      await following.done;
      expect(running.events.at(-1)?.type).toBe('RUN_FINISHED');
      expect(following.events.at(-1)?.type).toBe('RUN_FINISHED');
      expect(following.events.filter((e) => e.type === 'TEXT_MESSAGE_CONTENT')).toHaveLength(20);
      expect(warned.mock.calls.map((c) => String(c[0]))).toContainEqual(expect.stringContaining('did not publish'));
      expect((await postSse(`${b.url}/agent/slow/run`, runInput({ threadId: input.threadId }))).status).toBe(200);
    } finally {
      warned.mockRestore();
      redis.disconnect();
      await a.close();
      await b.close();
    }
  });
});

/** The official client's reducer and verifier, fed a replay. */
class ReplayAgent extends AbstractAgent {
  constructor(private readonly events: BaseEvent[]) {
    super();
  }
  override run(): Observable<BaseEvent> {
    return from(this.events);
  }
}

it('replays a run stored without its end (its last writes failed) as an interrupted run the clients accept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'unended-'));
  const path = join(dir, 'threads.sqlite');
  const threadId = randomUUID();
  const runId = randomUUID();
  try {
    const store = new SqliteThreadStore({ path });
    await store.open();
    expect(await store.beginRun({ threadId, runId, agentId: 'echo' })).toBe('started');
    await store.appendEvents(threadId, runId, 0, [
      { type: EventType.RUN_STARTED, threadId, runId } as BaseEvent,
      { type: EventType.TEXT_MESSAGE_START, messageId: 'm', role: 'assistant' } as BaseEvent,
      { type: EventType.TEXT_MESSAGE_CONTENT, messageId: 'm', delta: 'half an ans' } as BaseEvent,
    ]);
    await store.endRun(threadId, runId);
    await store.close();

    const server = await startCopilotKit({ agents: { echo: new ScriptedAgent() }, runner: new SqliteAgentRunner({ path }) });
    try {
      const replay = await postSse(`${server.url}/agent/echo/connect`, { threadId });
      expect(replay.events.map((event) => event.type)).toEqual([
        'RUN_STARTED',
        'TEXT_MESSAGE_START',
        'TEXT_MESSAGE_CONTENT',
        'TEXT_MESSAGE_END',
        'RUN_ERROR',
      ]);
      expect(replay.events.at(-1)).toMatchObject({ code: 'INTERRUPTED' });
      const agent = new ReplayAgent(replay.events);
      await agent.runAgent();
      expect(agent.messages).toEqual([expect.objectContaining({ id: 'm', role: 'assistant', content: 'half an ans' })]);
      // And the thread goes on.
      expect((await postSse(`${server.url}/agent/echo/run`, runInput({ threadId }))).events.at(-1)).toMatchObject({ type: 'RUN_FINISHED' });
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A runner whose store fails the stop (it went away just then). */
class StopFailsRunner extends InMemoryAgentRunner {
  stopCalls = 0;
  override async stop(): Promise<boolean> {
    this.stopCalls++;
    throw new Error('store gone');
  }
}

it('logs a stop that fails after a client left (cancelRunOnDisconnect), instead of leaving an unhandled rejection', async () => {
  const runner = new StopFailsRunner();
  const server = await startCopilotKit({
    agents: { slow: new ScriptedAgent(new AgentProbe(), { delayMs: 20, deltas: () => Array.from({ length: 20 }, (_, i) => `${i} `) }) },
    runner,
    cancelRunOnDisconnect: true,
  });
  const warnings: string[] = [];
  const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const stream = await openSse(`${server.url}/agent/slow/run`, runInput());
    await stream.waitFor((event) => event.type === 'TEXT_MESSAGE_CONTENT');
    stream.abort();
    await stream.done;
    const deadline = Date.now() + 2000;
    while (runner.stopCalls === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(runner.stopCalls).toBe(1);
    expect(warnings).toContainEqual(expect.stringContaining('after its client left'));
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    warn.mockRestore();
    await server.close();
  }
});
