import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HttpAgent } from '@ag-ui/client';
import { LlmMock } from '../fixtures/llm-mock.js';
import { openUnreadStream, postJson, postSse, runInput } from '../fixtures/sse-client.js';
import { packLibrary, prepareConsumer, run, startConsumer, type ConsumerFixture, type StartedConsumer } from './consumer-app.js';

/**
 * The packed package, installed from its tarball into apps shaped like `nest new` scaffolds, each
 * built with its own tsconfig and started with `node dist/main`, then driven by the official
 * AG-UI client. Nothing here resolves the library from this checkout.
 */
const FIXTURES: ConsumerFixture[] = [
  {
    // The lowest versions the package declares: Nest 11.2.8, openai 5.0, @anthropic-ai/sdk 0.50,
    // class-validator 0.14, pg 8.11 and ioredis 5.3 (the app runs on the Redis + PostgreSQL runner).
    name: 'nest11-floor-cjs-express',
    module: 'commonjs',
    platform: 'express',
    env: {
      COPILOT_RUNNER: 'redis-postgres',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      PG_SCHEMA: `consumer_${process.pid}`,
    },
  },
  // The latest 11.x, on Fastify, with better-sqlite3 at its lowest declared version.
  { name: 'nest11-cjs-fastify', module: 'commonjs', platform: 'fastify', env: { COPILOT_RUNNER: 'sqlite' } },
  { name: 'nest12-esm-express', module: 'esm', platform: 'express' },
  { name: 'nest12-esm-fastify', module: 'esm', platform: 'fastify' },
];

const KEY = { Authorization: 'Bearer consumer-key' };
const MB = 1024 * 1024;

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
let tarball: Promise<string> | undefined;

describe.each(FIXTURES)('the packed package in $name', (fixture) => {
  const llm = new LlmMock();
  let dir: string;
  let app: StartedConsumer;
  const url = (path: string) => `${app.origin}/copilotkit${path}`;
  const agent = (id = 'default', threadId = randomUUID()) => new HttpAgent({ url: url(`/agent/${id}/run`), threadId, headers: KEY });

  beforeAll(async () => {
    await llm.start();
    dir = await prepareConsumer(fixture, await (tarball ??= packLibrary()));
    app = await startConsumer(dir, {
      ...fixture.env,
      OPENAI_API_KEY: 'sk-consumer-test',
      OPENAI_BASE_URL: `${llm.server.url}/v1`,
      ...(fixture.name.includes('floor') && { ANTHROPIC_API_KEY: 'sk-ant-consumer-test', ANTHROPIC_BASE_URL: llm.server.url }),
    });
  }, 900_000);
  afterAll(async () => {
    await app?.stop();
    await llm.stop();
  });
  afterEach(() => llm.reset());

  it(`loads the ${fixture.module === 'esm' ? 'ESM' : 'CommonJS'} build`, async () => {
    const resolved =
      fixture.module === 'esm'
        ? await run(process.execPath, ['--input-type=module', '-e', "console.log(import.meta.resolve('nestjs-copilotkit'))"], dir)
        : await run(process.execPath, ['-e', "console.log(require.resolve('nestjs-copilotkit'))"], dir);
    expect(resolved.trim()).toMatch(
      fixture.module === 'esm'
        ? /\/node_modules\/nestjs-copilotkit\/dist\/esm\/index\.js$/
        : /\/node_modules\/nestjs-copilotkit\/dist\/cjs\/index\.js$/,
    );
  });

  it('resolves the LangChain entry to the same build, and loads it without @langchain/core installed', async () => {
    const script =
      fixture.module === 'esm'
        ? "const m = await import('nestjs-copilotkit/langchain'); console.log(import.meta.resolve('nestjs-copilotkit/langchain'), typeof m.LangChainAdapter)"
        : "const m = require('nestjs-copilotkit/langchain'); console.log(require.resolve('nestjs-copilotkit/langchain'), typeof m.LangChainAdapter)";
    const printed = await run(process.execPath, fixture.module === 'esm' ? ['--input-type=module', '-e', script] : ['-e', script], dir);
    expect(printed.trim()).toMatch(
      new RegExp(`/node_modules/nestjs-copilotkit/dist/${fixture.module === 'esm' ? 'esm' : 'cjs'}/langchain\\.js function$`),
    );
    expect(existsSync(join(dir, 'node_modules/@langchain/core'))).toBe(false);
  });

  it('keeps one identity for errors and injected classes when the app loads both builds', async () => {
    const output = await run(process.execPath, ['checks/dual-build.mjs', fixture.module === 'esm' ? 'esm-first' : 'cjs-first'], dir);
    expect(JSON.parse(output.trim().split('\n').pop()!)).toEqual({
      twoBuilds: true,
      errorsAcross: true,
      subclassAcross: true,
      otherErrorsApart: true,
      sameRuntime: true,
      sameThreads: true,
      transcriptionFound: true,
    });
  });

  it('needs the MCP SDK only for MCP servers, and says so at construction', async () => {
    expect(existsSync(join(dir, 'node_modules/@modelcontextprotocol/sdk'))).toBe(false);
    if (fixture.platform === 'fastify') expect(existsSync(join(dir, 'node_modules/express'))).toBe(false);
    const build =
      "new BuiltInAgent({ model: 'openai:gpt-4o-mini', apiKey: 'sk-x', mcpServers: [{ name: 'docs', url: 'http://127.0.0.1:9/mcp' }] })";
    const script =
      fixture.module === 'esm'
        ? [
            '--input-type=module',
            '-e',
            `import { BuiltInAgent } from 'nestjs-copilotkit'; try { ${build} } catch (error) { console.log(error.message) }`,
          ]
        : ['-e', `const { BuiltInAgent } = require('nestjs-copilotkit'); try { ${build} } catch (error) { console.log(error.message) }`];
    expect(await run(process.execPath, script, dir)).toMatch(
      /'mcpServers' needs the '@modelcontextprotocol\/sdk' package: npm install @modelcontextprotocol\/sdk/,
    );
  });

  it('serves /info behind the forRoot guard, which refuses with 401 JSON', async () => {
    const refused = await fetch(url('/info'));
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'A valid API key is required.' });
    const info = await fetch(url('/info'), { headers: KEY });
    expect(info.status).toBe(200);
    expect(Object.keys((await info.json()).agents)).toContain('default');
  });

  it('streams a BuiltInAgent run to the official HttpAgent', async () => {
    llm.server.onMessage('hello', { content: 'Hello from the model.' });
    const client = agent();
    client.addMessage({ id: randomUUID(), role: 'user', content: 'hello' });
    const { newMessages } = await client.runAgent();
    expect(newMessages).toEqual([expect.objectContaining({ role: 'assistant', content: 'Hello from the model.' })]);
  });

  it('runs the @CopilotAction the model calls, its arguments checked against the class-validator DTO', async () => {
    llm.server.on({ userMessage: 'weather', hasToolResult: false }, { toolCalls: [{ name: 'weather', arguments: { city: 'Paris' } }] });
    llm.server.on({ userMessage: 'weather', hasToolResult: true }, { content: 'It is 21 degrees in Paris.' });
    const client = agent();
    client.addMessage({ id: randomUUID(), role: 'user', content: 'weather in Paris?' });
    const { newMessages } = await client.runAgent();
    expect(newMessages.find((message) => message.role === 'tool')?.content).toBe('{"city":"Paris","temperature":21,"unit":"celsius"}');
    expect(newMessages.at(-1)).toMatchObject({ role: 'assistant', content: 'It is 21 degrees in Paris.' });
    const tool = llm.requests()[0]!.body.tools!.find((entry) => entry.function.name === 'weather')!;
    expect(tool.function.parameters).toMatchObject({
      type: 'object',
      properties: { city: { type: 'string', minLength: 2, maxLength: 60 }, unit: { enum: ['celsius', 'fahrenheit'] } },
      required: ['city'],
    });

    llm.reset();
    llm.server.on({ userMessage: 'weather', hasToolResult: false }, { toolCalls: [{ name: 'weather', arguments: { city: 'P' } }] });
    llm.server.on({ userMessage: 'weather', hasToolResult: true }, { content: 'That city name is too short.' });
    const invalid = agent();
    invalid.addMessage({ id: randomUUID(), role: 'user', content: 'weather in P?' });
    const refused = await invalid.runAgent();
    expect(refused.newMessages.find((message) => message.role === 'tool')?.content).toMatch(/city/);
  });

  it('takes a 2 MB conversation on its routes, refuses 11 MB with 413 JSON, and leaves the app’s own limit alone', async () => {
    llm.server.onMessage('big', { content: 'Read it all.' });
    const client = agent();
    client.addMessage({ id: randomUUID(), role: 'user', content: `big ${'x'.repeat(2 * MB)}` });
    expect((await client.runAgent()).newMessages.at(-1)).toMatchObject({ content: 'Read it all.' });

    const tooBig = await postJson(url('/agent/default/run'), runInput({ text: 'x'.repeat(11 * MB) }), { headers: KEY });
    expect(tooBig.status).toBe(413);
    expect(tooBig.json).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'The request body is larger than the limit of 10485760 bytes.',
    });
    expect((await postJson(`${app.origin}/echo`, { text: 'x'.repeat(2 * MB) })).status).toBe(413);
    expect((await postJson(`${app.origin}/echo`, { text: 'small' })).json).toEqual({ size: 16 });
  });

  it('stops a run: the stream ends early and the thread is free again', async () => {
    llm.server.onMessage('story', { content: 'word '.repeat(200) }, { latency: 20 });
    const threadId = randomUUID();
    const client = agent('default', threadId);
    client.addMessage({ id: randomUUID(), role: 'user', content: 'tell me a story' });
    let stopped: Promise<{ json: unknown }> | undefined;
    const result = await client.runAgent(undefined, {
      onTextMessageContentEvent() {
        stopped ??= postJson(url(`/agent/default/stop/${threadId}`), undefined, { headers: KEY });
      },
    });
    expect((await stopped!).json).toMatchObject({ stopped: true });
    expect(String(result.newMessages.at(-1)?.content).length).toBeLessThan('word '.repeat(200).length);

    llm.server.onMessage('again', { content: 'Free again.' });
    client.addMessage({ id: randomUUID(), role: 'user', content: 'again' });
    expect((await client.runAgent()).newMessages.at(-1)).toMatchObject({ content: 'Free again.' });
  });

  it('streams through the single-route envelope, framed as agent/run is', async () => {
    llm.server.onMessage('envelope', { content: 'Through the envelope.' });
    const input = runInput({ text: 'envelope' });
    const result = await postSse(url(''), { method: 'agent/run', params: { agentId: 'default' }, body: input }, { headers: KEY });
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toBe('text/event-stream');
    expect(result.body.startsWith(`\nid: ${input.runId}:0\ndata: {"type":"RUN_STARTED"`)).toBe(true);
    expect(
      result.events
        .filter((event) => event.type === 'TEXT_MESSAGE_CONTENT')
        .map((event) => event.delta)
        .join(''),
    ).toBe('Through the envelope.');
    expect(result.events.at(-1)?.type).toBe('RUN_FINISHED');
  });

  it('drops a client that stops reading once maxBufferedBytes wait for it, and lets its run finish', async () => {
    // 12 MB in 16 kB deltas, past what the socket buffers hold; a second app with a 256 kB limit (and a 128 kB body limit below it).
    llm.server.onMessage('flood', { content: 'x'.repeat(12 * MB) }, { chunkSize: 16_000 });
    const limited = await startConsumer(dir, {
      OPENAI_API_KEY: 'sk-consumer-test',
      OPENAI_BASE_URL: `${llm.server.url}/v1`,
      COPILOT_MAX_BUFFERED_BYTES: String(256 * 1024),
      COPILOT_BODY_LIMIT: '128kb',
    });
    const { completed, aborted } = llm.connections;
    const ended = () => ({ completed: llm.connections.completed - completed, aborted: llm.connections.aborted - aborted });
    try {
      const client = openUnreadStream(`${limited.origin}/copilotkit/agent/default/run`, runInput({ text: 'flood' }), KEY);
      await waitFor(() => ended().completed + ended().aborted === 1, 30_000);
      client.resume();
      await Promise.race([client.closed, waitFor(() => client.received.includes('RUN_FINISHED'), 30_000)]);
      expect(client.received).toContain('HTTP/1.1 200');
      expect(client.received).not.toContain('RUN_FINISHED');
      // The model's answer was read to its end: the run went on without the client.
      expect(ended()).toEqual({ completed: 1, aborted: 0 });
    } finally {
      await limited.stop();
    }
  }, 90_000);

  if (fixture.env?.COPILOT_RUNNER) {
    it(`keeps the thread on the ${fixture.env.COPILOT_RUNNER} runner: connect replays it`, async () => {
      llm.server.onMessage('remember', { content: 'Kept.' });
      const input = runInput({ text: 'remember this' });
      await postSse(url('/agent/default/run'), input, { headers: KEY });
      const replay = await postSse(url('/agent/default/connect'), { threadId: input.threadId }, { headers: KEY });
      expect(
        replay.events
          .filter((event) => event.type === 'TEXT_MESSAGE_CONTENT')
          .map((event) => event.delta)
          .join(''),
      ).toBe('Kept.');
      expect(replay.events.at(-1)).toMatchObject({ type: 'RUN_FINISHED', runId: input.runId });
    });
  }

  if (fixture.name.includes('floor')) {
    it('streams an Anthropic run on the lowest @anthropic-ai/sdk', async () => {
      llm.server.onMessage('claude', { content: 'Hello from Claude.' });
      const client = agent('claude');
      client.addMessage({ id: randomUUID(), role: 'user', content: 'hi claude' });
      expect((await client.runAgent()).newMessages).toEqual([expect.objectContaining({ content: 'Hello from Claude.' })]);
    });
  }

  it('passes the app’s own e2e test (its scaffold’s runner)', async () => {
    const output = await run('npm', ['run', 'test:e2e'], dir, { OPENAI_API_KEY: 'sk-e2e-test', NO_COLOR: '1', FORCE_COLOR: '0' });
    expect(output).toMatch(fixture.module === 'esm' ? /Tests\s+2 passed/ : /Tests:\s+2 passed, 2 total/);
  }, 120_000);
});
