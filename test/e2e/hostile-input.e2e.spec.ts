import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { InMemoryAgentRunner, RedisPostgresAgentRunner, SqliteAgentRunner, type AgentRunner } from '../../lib/index.js';
import { HeaderAuthGuard } from '../fixtures/task-board/auth.js';
import { AgentProbe, ScriptedAgent } from '../fixtures/test-agents.js';
import { startCopilotKit, testPlatform, type TestApp } from '../fixtures/test-app.js';
import { postJson, postSse, runInput } from '../fixtures/sse-client.js';

/** This file's own PostgreSQL schema and Redis prefix, dropped at the end. */
const suffix = randomUUID().replace(/-/g, '').slice(0, 12);
const schema = `copilotkit_test_hostile_${suffix}`;
const connectionString = 'postgres://postgres@127.0.0.1:5432/test';

const dirs: string[] = [];
const runners: Array<[string, () => AgentRunner]> = [
  ['InMemoryAgentRunner', () => new InMemoryAgentRunner()],
  [
    'SqliteAgentRunner',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'copilotkit-hostile-'));
      dirs.push(dir);
      return new SqliteAgentRunner({ path: join(dir, 'threads.sqlite') });
    },
  ],
  [
    'RedisPostgresAgentRunner',
    () =>
      new RedisPostgresAgentRunner({
        postgres: { connectionString, application_name: schema },
        schema,
        redis: { host: '127.0.0.1', port: 6379, connectionName: schema },
        keyPrefix: `copilotkit-test-${suffix}`,
      }),
  ],
];

afterAll(async () => {
  dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  const admin = new pg.Client({ connectionString });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

const invalidRequest = (message: string | RegExp) => ({
  statusCode: 400,
  error: 'Invalid request',
  message: typeof message === 'string' ? message : expect.stringMatching(message),
});
/** Past the 256 the runtime takes, and past what a PostgreSQL index holds: random, so it cannot be compressed to fit. */
const hugeId = randomBytes(5000).toString('hex');
/** Fastify's router refuses a path parameter over its `maxParamLength` (100 by default) before any route runs. */
const longPathParamStatus = testPlatform() === 'fastify' ? 414 : 400;

describe.each(runners)('hostile input with %s', (runnerName, createRunner) => {
  const probe = new AgentProbe();
  const racing = new Set<string>();
  let server: TestApp;
  const user = `user-${randomUUID()}`;
  const as = (who = user) => ({ headers: { 'x-user': who } });

  beforeAll(async () => {
    const runner = createRunner();
    // A DELETE landing between a PATCH's update and its read of the result.
    const update = runner.updateThread.bind(runner);
    runner.updateThread = async (threadId, changes) => {
      await update(threadId, changes);
      if (racing.has(threadId)) await runner.deleteThread(threadId);
    };
    server = await startCopilotKit({ agents: { echo: new ScriptedAgent(probe) }, runner, guards: [HeaderAuthGuard] });
  });
  afterAll(() => server?.close());

  const request = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', 'x-user': user, ...(init.headers as Record<string, string>) },
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
  };

  async function startThread(text = 'hello') {
    const input = runInput({ text });
    const run = await postSse(`${server.url}/agent/echo/run`, input, as());
    expect(run.status).toBe(200);
    expect(run.events.at(-1)).toMatchObject({ type: 'RUN_FINISHED' });
    return input;
  }

  /** The thread answers as before, and takes another run. */
  async function expectStillWorks(threadId: string) {
    const messages = await request(`/threads/${threadId}/messages`);
    expect(messages.status).toBe(200);
    expect(messages.json.messages.map((m: { role: string }) => m.role)).toEqual(expect.arrayContaining(['user', 'assistant']));
    const again = await postSse(`${server.url}/agent/echo/run`, runInput({ threadId, text: 'still there?' }), as());
    expect(again.status).toBe(200);
    expect(again.events.at(-1)).toMatchObject({ type: 'RUN_FINISHED' });
    const list = await request('/threads?limit=200');
    expect(list.status).toBe(200);
    expect(list.json.threads.map((t: { id: string }) => t.id)).toContain(threadId);
  }

  it('answers 400 to a repeated query parameter, which SQLite would bind as several values', async () => {
    const thread = await startThread();
    for (const query of ['agentId=echo&agentId=b', 'cursor=a&cursor=b', 'limit=1&limit=2', 'includeArchived=true&includeArchived=false']) {
      const name = query.split('=')[0];
      expect(await request(`/threads?${query}`)).toMatchObject({
        status: 400,
        json: invalidRequest(`'${name}' must be given once, as a single value.`),
      });
    }
    expect((await request('/threads?agentId=echo')).json.threads.map((t: { id: string }) => t.id)).toContain(thread.threadId);
    await expectStillWorks(thread.threadId);
  });

  it('answers 400 to a NUL or an over-long agent id in the query, and to an over-long cursor', async () => {
    const thread = await startThread();
    expect(await request('/threads?agentId=a%00')).toMatchObject({
      status: 400,
      json: invalidRequest("'agentId' must not contain the NUL character (U+0000)."),
    });
    expect(await request(`/threads?agentId=${'a'.repeat(257)}`)).toMatchObject({
      status: 400,
      json: invalidRequest("'agentId' must be at most 256 characters long."),
    });
    expect(await request(`/threads?cursor=${'a'.repeat(4097)}`)).toMatchObject({
      status: 400,
      json: invalidRequest("'cursor' must be at most 4096 characters long."),
    });
    await expectStillWorks(thread.threadId);
  });

  it('starts over from a forged cursor naming an id no store can hold, as from any forged cursor', async () => {
    const thread = await startThread();
    const forged = Buffer.from(JSON.stringify([Date.now() + 60_000, 'a\u0000b'])).toString('base64url');
    const page = await request(`/threads?cursor=${forged}&limit=200`);
    expect(page.status).toBe(200);
    expect(page.json.threads.map((t: { id: string }) => t.id)).toContain(thread.threadId);
  });

  it('answers 400 to a NUL in the thread id of every thread route and of stop', async () => {
    const thread = await startThread();
    const bad = 'a%00b';
    const routes: Array<[string, RequestInit?]> = [
      [`/threads/${bad}/messages`],
      [`/threads/${bad}/events`],
      [`/threads/${bad}/state`],
      [`/threads/${bad}`, { method: 'PATCH', body: JSON.stringify({ name: 'x' }) }],
      [`/threads/${bad}/archive`, { method: 'POST' }],
      [`/threads/${bad}`, { method: 'DELETE' }],
      [`/agent/echo/stop/${bad}`, { method: 'POST' }],
    ];
    for (const [path, init] of routes) {
      const answer = await request(path, init);
      expect({ path, ...answer }).toMatchObject({
        path,
        status: 400,
        json: invalidRequest("'threadId' must not contain the NUL character (U+0000)."),
      });
    }
    await expectStillWorks(thread.threadId);
  });

  it('answers 400 to an over-long thread id in a route, where the platform lets it through', async () => {
    const thread = await startThread();
    for (const [path, init] of [
      [`/threads/${hugeId}/messages`, {}],
      [`/threads/${hugeId}`, { method: 'PATCH', body: JSON.stringify({ name: 'x' }) }],
      [`/agent/echo/stop/${hugeId}`, { method: 'POST' }],
    ] as Array<[string, RequestInit]>) {
      const answer = await request(path, init);
      expect(answer.status).toBe(longPathParamStatus);
      if (answer.status === 400) expect(answer.json).toEqual(invalidRequest("'threadId' must be at most 256 characters long."));
    }
    await expectStillWorks(thread.threadId);
  });

  it('answers 400, not 503, to a run body whose thread or run id no store can hold', async () => {
    const thread = await startThread();
    const cases: Array<[string, Partial<ReturnType<typeof runInput>>, string]> = [
      ['threadId', { threadId: 'a\u0000b' }, 'must not contain the NUL character (U+0000).'],
      ['runId', { threadId: thread.threadId, runId: 'r\u0000' }, 'must not contain the NUL character (U+0000).'],
      ['threadId', { threadId: hugeId }, 'must be at most 256 characters long.'],
      ['runId', { threadId: thread.threadId, runId: hugeId }, 'must be at most 256 characters long.'],
      ['threadId', { threadId: 'a\ud800' }, 'must be well-formed Unicode (no unpaired surrogate).'],
    ];
    for (const [field, overrides, message] of cases) {
      const answer = await postJson(`${server.url}/agent/echo/run`, runInput(overrides), as());
      expect(answer).toMatchObject({
        status: 400,
        json: { statusCode: 400, error: 'Invalid request body', message: `${field}: ${message}`, details: [{ field, message }] },
      });
      expect(answer.headers.get('retry-after')).toBeNull();
    }
    for (const threadId of ['a\u0000b', hugeId]) {
      const connect = await postJson(`${server.url}/agent/echo/connect`, { threadId }, as());
      expect(connect).toMatchObject({ status: 400, json: { error: 'Invalid request body', details: [{ field: 'threadId' }] } });
    }
    const envelope = await postJson(server.url, { method: 'agent/stop', params: { agentId: 'echo', threadId: 'a\u0000' } }, as());
    expect(envelope).toMatchObject({ status: 400, json: invalidRequest("'params.threadId' must not contain the NUL character (U+0000).") });
    await expectStillWorks(thread.threadId);
  });

  it('takes ids of 256 characters, of three UTF-8 bytes each, on every store', async () => {
    const threadId = '€'.repeat(256);
    const runId = '€'.repeat(255) + 'r';
    const run = await postSse(`${server.url}/agent/echo/run`, runInput({ threadId, runId }), as());
    expect(run.status).toBe(200);
    expect(run.events.at(-1)).toMatchObject({ type: 'RUN_FINISHED', threadId, runId });
    const list = await request('/threads?limit=200');
    expect(list.json.threads.map((t: { id: string }) => t.id)).toContain(threadId);
    const rejected = await postJson(`${server.url}/agent/echo/run`, runInput({ threadId: `${threadId}x` }), as());
    expect(rejected.status).toBe(400);
  });

  it('takes message ids and contents with NUL and of any length: every store keeps events as JSON text', async () => {
    const messageId = `m\u0000${hugeId}`;
    const content = `nul \u0000 here ${hugeId}`;
    const input = runInput({ messages: [{ id: messageId, role: 'user', content }] });
    const run = await postSse(`${server.url}/agent/echo/run`, input, as());
    expect(run.status).toBe(200);
    expect(run.events.at(-1)).toMatchObject({ type: 'RUN_FINISHED' });
    const messages = await request(`/threads/${input.threadId}/messages`);
    expect(messages.json.messages[0]).toEqual({ id: messageId, role: 'user', content });
  });

  it('answers 400 to a thread name with a NUL, and keeps the name it had', async () => {
    const thread = await startThread();
    const path = `/threads/${thread.threadId}`;
    expect((await request(path, { method: 'PATCH', body: JSON.stringify({ name: 'kept' }) })).status).toBe(200);
    expect(await request(path, { method: 'PATCH', body: JSON.stringify({ name: 'a\u0000b' }) })).toMatchObject({
      status: 400,
      json: invalidRequest("'name' must not contain the NUL character (U+0000)."),
    });
    const list = await request('/threads?limit=200');
    expect(list.json.threads.find((t: { id: string }) => t.id === thread.threadId)).toMatchObject({ name: 'kept' });
    await expectStillWorks(thread.threadId);
  });

  it('answers 400, not 503, when the store itself cannot hold what a request carries', async () => {
    // An owner id is the app's (here the x-user header), not checked by the runtime: PostgreSQL
    // indexes it, and refuses one past its btree limit. The other stores hold it.
    const owner = randomBytes(4000).toString('hex');
    const answer = await postSse(`${server.url}/agent/echo/run`, runInput(), as(owner));
    if (runnerName === 'RedisPostgresAgentRunner') {
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toEqual(invalidRequest(/^The thread store cannot hold this input/));
      expect(answer.headers.get('retry-after')).toBeNull();
    } else {
      expect(answer.status).toBe(200);
    }
    const thread = await startThread();
    await expectStillWorks(thread.threadId);
  });

  it('answers 404 to a PATCH whose thread a DELETE removed meanwhile', async () => {
    const thread = await startThread();
    racing.add(thread.threadId);
    expect(await request(`/threads/${thread.threadId}`, { method: 'PATCH', body: JSON.stringify({ name: 'late' }) })).toMatchObject({
      status: 404,
      json: { statusCode: 404, error: 'Thread not found' },
    });
    expect((await request(`/threads/${thread.threadId}/messages`)).status).toBe(404);
  });
});

describe('__proto__ in a JSON body', () => {
  const probe = new AgentProbe();
  let server: TestApp;

  beforeAll(async () => {
    server = await startCopilotKit({ agents: { echo: new ScriptedAgent(probe) }, guards: [HeaderAuthGuard] });
  });
  afterAll(() => server.close());

  /** Every own `__proto__` key under `value`, by path. */
  function protoKeys(value: unknown, path = '$'): string[] {
    if (typeof value !== 'object' || value === null) return [];
    const own = Object.hasOwn(value, '__proto__') ? [path] : [];
    const proto = Object.getPrototypeOf(value);
    const odd = proto !== Object.prototype && proto !== Array.prototype ? [`${path} (prototype)`] : [];
    return [...own, ...odd, ...Object.entries(value).flatMap(([key, child]) => protoKeys(child, `${path}.${key}`))];
  }

  // Fastify reads the body with the app's own parser, whose default (`onProtoPoisoning: 'error'`) refuses it.
  const fastify = testPlatform() === 'fastify';

  it('is removed at any depth on Express, refused by Fastify, and nothing is polluted', async () => {
    const poison = '{"__proto__":{"polluted":true,"toString":1}}';
    const input = runInput({ text: 'poisoned' });
    const body = JSON.stringify({
      ...input,
      state: { keep: 1 },
      forwardedProps: { keep: 2 },
      tools: [{ name: 'tool', description: 'd', parameters: { type: 'object', properties: {} } }],
      context: [{ description: 'c', value: 'v' }],
    })
      .replace('"state":{', `"state":{"__proto__":${poison},"deep":${poison},`)
      .replace('"forwardedProps":{', `"forwardedProps":{"__proto__":${poison},`)
      .replace('"role":"user"', `"role":"user","\\u005f_proto__":${poison}`)
      .replace('"name":"tool"', `"name":"tool","__proto__":${poison}`)
      .replace('"description":"c"', `"description":"c","__proto__":${poison}`)
      .replace(/^\{/, `{"__proto__":${poison},`);
    const runs = probe.inputs.length;

    const run = await postSse(`${server.url}/agent/echo/run`, body, { headers: { 'x-user': 'proto' } });

    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    if (fastify) {
      expect(run.status).toBe(400);
      expect(probe.inputs.length).toBe(runs);
      return;
    }
    expect(run.status).toBe(200);
    expect(run.events.at(-1)).toMatchObject({ type: 'RUN_FINISHED', threadId: input.threadId });
    const received = probe.inputs[runs];
    expect(protoKeys(received)).toEqual([]);
    expect(received.state).toEqual({ keep: 1, deep: {} });
    expect(received.forwardedProps).toEqual({ keep: 2 });
    expect(received.messages[0]).toMatchObject({ role: 'user', content: 'poisoned' });
    expect(run.body).not.toContain('__proto__');
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('keeps constructor and prototype keys as the plain data they are', async () => {
    const input = runInput({ state: { constructor: { prototype: { x: 1 } }, prototype: { y: 2 } } });
    const runs = probe.inputs.length;
    const run = await postSse(`${server.url}/agent/echo/run`, input, { headers: { 'x-user': 'proto' } });
    // Fastify's default `onConstructorPoisoning: 'error'` refuses a `constructor.prototype` key too.
    if (fastify) return expect(run.status).toBe(400);
    expect(run.status).toBe(200);
    expect(probe.inputs[runs].state).toEqual({ constructor: { prototype: { x: 1 } }, prototype: { y: 2 } });
    expect(Object.getPrototypeOf(probe.inputs[runs].state)).toBe(Object.prototype);
  });

  it('is removed from the thread routes bodies too, which then work as without it', async () => {
    const input = runInput();
    expect((await postSse(`${server.url}/agent/echo/run`, input, { headers: { 'x-user': 'proto' } })).status).toBe(200);
    const response = await fetch(`${server.url}/threads/${input.threadId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'x-user': 'proto' },
      body: '{"__proto__":{"name":"from the prototype"},"archived":true}',
    });
    if (fastify) return expect(response.status).toBe(400);
    expect(response.status).toBe(200);
    expect((await response.json()).thread).toMatchObject({ id: input.threadId, name: null, archived: true });
  });

  it('still answers 400 to a body that is not JSON', async () => {
    const answer = await postJson(`${server.url}/agent/echo/run`, '{"threadId": "unterminated', { headers: { 'x-user': 'proto' } });
    if (fastify) return expect(answer.status).toBe(400);
    expect(answer).toEqual({
      status: 400,
      headers: expect.anything(),
      json: { statusCode: 400, error: 'Bad Request', message: 'The request body is not valid JSON.' },
    });
  });
});
