import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { migratePostgres, RedisPostgresAgentRunner, type RedisPostgresAgentRunnerOptions } from '../../lib/index.js';
import { startChildApp } from '../fixtures/child-app.js';
import { AgentProbe, ScriptedAgent } from '../fixtures/test-agents.js';
import { startCopilotKit, type TestApp } from '../fixtures/test-app.js';
import { openSse, postJson, postSse, runInput } from '../fixtures/sse-client.js';

/** Every test file gets its own schema and channel prefix, so suites can run side by side and leave nothing. */
const id = randomUUID().replace(/-/g, '').slice(0, 12);
const schema = `copilotkit_test_${id}`;
const connectionString = 'postgres://postgres@127.0.0.1:5432/test';
const options = (name: string, extra: Partial<RedisPostgresAgentRunnerOptions> = {}): RedisPostgresAgentRunnerOptions => ({
  postgres: { connectionString, application_name: `${schema}_${name}` },
  schema,
  redis: { host: '127.0.0.1', port: 6379, connectionName: `${schema}_${name}` },
  keyPrefix: `copilotkit-test-${id}`,
  leaseMs: 1000,
  ...extra,
});

const probe = new AgentProbe();
const slowAgent = () => new ScriptedAgent(probe, { delayMs: 15, deltas: () => Array.from({ length: 60 }, (_, i) => `${i} `) });
const contents = (events: Array<{ type: string }>) => events.filter((e) => e.type === 'TEXT_MESSAGE_CONTENT').length;
const text = (events: Array<{ type: string; delta?: string }>) =>
  events
    .filter((e) => e.type === 'TEXT_MESSAGE_CONTENT')
    .map((e) => e.delta)
    .join('');

async function instance(name: string, extra: Partial<RedisPostgresAgentRunnerOptions> = {}): Promise<TestApp> {
  return startCopilotKit({
    agents: { slow: slowAgent(), endless: slowAgent() },
    runner: new RedisPostgresAgentRunner(options(name, extra)),
  });
}

describe('RedisPostgresAgentRunner across instances', () => {
  let a: TestApp;
  let b: TestApp;
  const admin = new pg.Client({ connectionString });

  beforeAll(async () => {
    await admin.connect();
    [a, b] = await Promise.all([instance('a'), instance('b')]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  it('connect on B attaches to a run live on A, and sees it to the end', async () => {
    const input = runInput();
    const onA = await openSse(`${a.url}/agent/slow/run`, input);
    await onA.waitFor(() => contents(onA.events) >= 3);
    const onB = await openSse(`${b.url}/agent/slow/connect`, { threadId: input.threadId });
    await Promise.all([onA.done, onB.done]);

    expect(onB.events).toEqual(onA.events);
    expect(onB.ids).toEqual(onA.ids);
    expect(onB.events.at(-1)).toMatchObject({ type: 'RUN_FINISHED', runId: input.runId });
  });

  it('stop on B ends the run on A, and the agent sees the abort', async () => {
    const input = runInput();
    const aborts = probe.abortRunCalls;
    const onA = await openSse(`${a.url}/agent/slow/run`, input);
    await onA.waitFor(() => contents(onA.events) >= 2);

    const stopped = await postJson(`${b.url}/agent/slow/stop/${input.threadId}`);
    await onA.done;

    expect(stopped.json).toEqual({ stopped: true });
    expect(onA.events.at(-1)).toEqual({ type: 'RUN_FINISHED', threadId: input.threadId, runId: input.runId });
    expect(contents(onA.events)).toBeLessThan(60);
    expect(probe.abortRunCalls).toBe(aborts + 1);
    expect((await postJson(`${b.url}/agent/slow/stop/${input.threadId}`)).json.stopped).toBe(false);
  });

  it('answers 409 on B to a second run while A runs the thread', async () => {
    const input = runInput();
    const onA = await openSse(`${a.url}/agent/slow/run`, input);
    await onA.waitFor(() => contents(onA.events) >= 1);
    const second = await postJson(`${b.url}/agent/slow/run`, runInput({ threadId: input.threadId }));
    expect(second.status).toBe(409);
    await postJson(`${a.url}/agent/slow/stop/${input.threadId}`);
    await onA.done;
    expect((await postSse(`${b.url}/agent/slow/run`, runInput({ threadId: input.threadId }))).status).toBe(200);
  });

  it('lets exactly one of eight simultaneous first runs of a new thread through, across both instances', async () => {
    const threadId = runInput().threadId;
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        fetch(`${(i % 2 ? a : b).url}/agent/slow/run`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(runInput({ threadId })),
        }),
      ),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    await postJson(`${a.url}/agent/slow/stop/${threadId}`);
    await Promise.all(responses.map((response) => response.text()));
    const { rows } = await admin.query(`SELECT status FROM ${schema}.runs WHERE thread_id = $1`, [threadId]);
    expect(rows).toHaveLength(1);
  });

  it('answers 409 to a run that reuses a run id of the thread, on any instance', async () => {
    const input = runInput();
    await postSse(`${a.url}/agent/slow/run`, { ...input });
    const again = await postJson(`${b.url}/agent/slow/run`, { ...input, messages: [] });
    expect(again).toMatchObject({ status: 409, json: { error: 'Run id already used' } });
  });

  it('lets B continue a thread whose instance died mid-run, once its lease expires', async () => {
    const child = await startChildApp(['redis-postgres', JSON.stringify(options('child'))]);
    const input = runInput({ text: 'forever' });
    const onChild = await openSse(`${child.origin}/copilotkit/agent/endless/run`, input);
    await onChild.waitFor(() => contents(onChild.events) >= 3);
    await child.kill();

    expect((await postJson(`${b.url}/agent/slow/run`, runInput({ threadId: input.threadId }))).status).toBe(409);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    const next = await postSse(`${b.url}/agent/slow/run`, runInput({ threadId: input.threadId, text: 'again' }));
    expect(next.status).toBe(200);

    const history = await postSse(`${a.url}/agent/slow/connect`, { threadId: input.threadId });
    const terminals = history.events.filter((e) => e.type === 'RUN_ERROR' || e.type === 'RUN_FINISHED');
    expect(terminals).toEqual([
      { type: 'RUN_ERROR', message: 'The server stopped before this run finished.', code: 'INTERRUPTED' },
      expect.objectContaining({ type: 'RUN_FINISHED', threadId: input.threadId }),
    ]);
    // A child process to start and a lease to expire: more than the default 5 s on a loaded machine.
  }, 20_000);

  it('keeps history intact when every instance restarts', async () => {
    const input = runInput({ text: 'persist me' });
    await postSse(`${a.url}/agent/slow/run`, input);
    const before = await postSse(`${b.url}/agent/slow/connect`, { threadId: input.threadId });
    await Promise.all([a.close(), b.close()]);
    [a, b] = await Promise.all([instance('a'), instance('b')]);

    const after = await postSse(`${b.url}/agent/slow/connect`, { threadId: input.threadId });
    expect(after.body).toBe(before.body);
    expect(after.events[0].input.messages[0].content).toBe('persist me');
  });

  it('fails the run with a clear RUN_ERROR when PostgreSQL drops it, and recovers on its own', async () => {
    const input = runInput();
    const onA = await openSse(`${a.url}/agent/slow/run`, input);
    await onA.waitFor(() => contents(onA.events) >= 2);
    // The instance's connections are cut, and writes fail while the table of events is away.
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`${schema}_a`]);
    await admin.query(`ALTER TABLE ${schema}.event_batches RENAME TO event_batches_away`);
    try {
      await onA.done;
    } finally {
      await admin.query(`ALTER TABLE ${schema}.event_batches_away RENAME TO event_batches`);
    }

    expect(onA.events.at(-1)).toEqual({
      type: 'RUN_ERROR',
      message: 'The thread store stopped answering, so the run was ended.',
      code: 'STORE_UNAVAILABLE',
    });
    // The pool replaces the connections PostgreSQL cut; within moments runs work again (a 503 until then).
    const deadline = Date.now() + 5000;
    let next;
    do {
      next = await postSse(`${a.url}/agent/slow/run`, runInput({ threadId: input.threadId }));
      if (next.status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    } while (next.status === 503 && Date.now() < deadline);
    expect({ status: next.status, body: next.events.length ? undefined : next.body, last: next.events.at(-1) }).toMatchObject({
      status: 200,
      last: { type: 'RUN_FINISHED' },
    });
  }, 15_000);

  it('fails the run with a clear RUN_ERROR when Redis drops it, and recovers on its own', async () => {
    // Redis stays away for longer than a publication may take (2 s), and the run outlasts that: a
    // publication in flight when the connection drops is resent on reconnect, so a quick
    // reconnect, or a run that ends first, would hide the outage.
    const c = await startCopilotKit({
      agents: { slow: new ScriptedAgent(probe, { delayMs: 15, deltas: () => Array.from({ length: 300 }, (_, i) => `${i} `) }) },
      runner: new RedisPostgresAgentRunner(options('c', { redis: { ...options('c').redis, retryStrategy: () => 2500 } })),
    });
    try {
      await dropsRedis(c);
    } finally {
      await c.close();
    }
  }, 15_000);

  async function dropsRedis(a: TestApp): Promise<void> {
    const input = runInput();
    const onA = await openSse(`${a.url}/agent/slow/run`, input);
    await onA.waitFor(() => contents(onA.events) >= 2);
    killRedisClients(`${schema}_c`);
    await onA.done;

    const ended = {
      type: 'RUN_ERROR',
      message: 'Other instances could not be told about the run, so it was ended.',
      code: 'EVENT_BUS_UNAVAILABLE',
    };
    expect(onA.events.at(-1)).toEqual(ended);
    // Stored as the client saw it: the thread replays the run to the same end, on any instance.
    const replay = await postSse(`${b.url}/agent/slow/connect`, { threadId: input.threadId });
    expect(replay.events.at(-1)).toEqual(ended);
    expect(text(replay.events)).toBe(text(onA.events));
    // ioredis reconnects by itself; within moments runs work again.
    const deadline = Date.now() + 5000;
    let next;
    do {
      await new Promise((resolve) => setTimeout(resolve, 100));
      next = await postSse(`${a.url}/agent/slow/run`, runInput({ threadId: input.threadId }));
    } while (next.events.at(-1)?.type !== 'RUN_FINISHED' && Date.now() < deadline);
    expect(next.events.at(-1)).toMatchObject({ type: 'RUN_FINISHED' });
  }

  it('stores the whole run when Redis stops answering mid-run, and a follower on another instance still sees its end', async () => {
    const input = runInput();
    const onA = await openSse(`${a.url}/agent/slow/run`, input);
    await onA.waitFor(() => contents(onA.events) >= 2);
    const following = await openSse(`${b.url}/agent/slow/connect`, { threadId: input.threadId });
    await following.waitFor(() => contents(following.events) >= 1);
    // Connections stay up but nothing is answered: publications hang instead of failing.
    execFileSync('redis-cli', ['-h', '127.0.0.1', 'CLIENT', 'PAUSE', '3000', 'ALL']);
    await onA.done;
    await following.done;

    // The run either went on to its end (its store writes do not wait for Redis) or was ended as
    // one others cannot follow; either way the client, the store and the follower agree.
    const ended = onA.events.at(-1)!;
    if (ended.type === 'RUN_FINISHED') expect(contents(onA.events)).toBe(60);
    else expect(ended).toMatchObject({ type: 'RUN_ERROR', code: 'EVENT_BUS_UNAVAILABLE' });
    expect(following.events.at(-1)).toEqual(ended);
    expect(text(following.events)).toBe(text(onA.events));
    const replay = await postSse(`${a.url}/agent/slow/connect`, { threadId: input.threadId });
    expect(replay.events.at(-1)).toEqual(ended);
    expect(text(replay.events)).toBe(text(onA.events));
    const deadline = Date.now() + 8000;
    let next;
    do {
      await new Promise((resolve) => setTimeout(resolve, 100));
      next = await postSse(`${b.url}/agent/slow/run`, runInput({ threadId: input.threadId }));
    } while (next.events.at(-1)?.type !== 'RUN_FINISHED' && Date.now() < deadline);
    expect(next.events.at(-1)).toMatchObject({ type: 'RUN_FINISHED' });
  }, 20_000);

  it('runs its migrations once, however many instances start together, or from a deployment step', async () => {
    const own = `${schema}_m`;
    const pool = new pg.Pool({ connectionString });
    try {
      expect(await Promise.all([migratePostgres(pool, own), migratePostgres(pool, own), migratePostgres(pool, own)])).toEqual([2, 2, 2]);
      expect((await pool.query(`SELECT version FROM ${own}.schema_migrations ORDER BY version`)).rows).toEqual([
        { version: 1 },
        { version: 2 },
      ]);
      const c = await instance('m', { schema: own, migrate: false });
      try {
        expect((await postSse(`${c.url}/agent/slow/run`, runInput())).events.at(-1)?.type).toBe('RUN_FINISHED');
      } finally {
        await c.close();
      }
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS ${own} CASCADE`);
      await pool.end();
    }
  });

  it('drains on shutdown: takes no new runs, then ends the running ones properly and frees their threads', async () => {
    const c = await instance('c', { shutdownGraceMs: 200 });
    const input = runInput();
    const onC = await openSse(`${c.url}/agent/slow/run`, input);
    await onC.waitFor(() => contents(onC.events) >= 1);

    await c.close();
    await onC.done;

    expect(onC.events.at(-1)).toEqual({
      type: 'RUN_ERROR',
      message: 'The server is shutting down; the run was ended.',
      code: 'SERVER_SHUTDOWN',
    });
    const next = await postSse(`${b.url}/agent/slow/run`, runInput({ threadId: input.threadId }));
    expect(next.status).toBe(200);
  });
});

/** Drops every Redis connection an instance named itself with, as a network blip would. */
function killRedisClients(name: string): void {
  const list = execFileSync('redis-cli', ['-h', '127.0.0.1', 'CLIENT', 'LIST'], { encoding: 'utf8' });
  for (const line of list.split('\n').filter((l) => l.includes(` name=${name} `))) {
    execFileSync('redis-cli', ['-h', '127.0.0.1', 'CLIENT', 'KILL', 'ID', /id=(\d+)/.exec(line)![1]]);
  }
}
