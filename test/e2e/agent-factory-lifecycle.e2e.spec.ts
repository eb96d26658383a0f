import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { BuiltInAgent, type AgentsSource, type McpServerConfig } from '../../lib/index.js';
import { LlmMock } from '../fixtures/llm-mock.js';
import { RecordingMcpServer } from '../fixtures/mcp-servers.js';
import { openSse, postJson, postSse, runInput } from '../fixtures/sse-client.js';
import { startCopilotKit, type TestApp } from '../fixtures/test-app.js';
import { ScriptedAgent } from '../fixtures/test-agents.js';

const SEARCH_SCHEMA = { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] };

/** A BuiltInAgent that counts its `close()` calls, so a test sees which instances were closed and when. */
class CountedAgent extends BuiltInAgent {
  closes = 0;

  override async close(): Promise<void> {
    this.closes++;
    await super.close();
  }
}

class FailingCloseAgent extends ScriptedAgent {
  close(): void {
    throw new Error('the pool is wedged');
  }
}

class RejectingCloseAgent extends ScriptedAgent {
  async close(): Promise<void> {
    throw new Error('the socket is gone');
  }
}

/**
 * An HTTP hop in front of an MCP server that can hold `initialize` requests, so that a session is
 * still opening when the test closes the agent.
 */
class GatedMcpFront {
  holding = false;
  readonly held: Array<() => void> = [];
  url = '';
  private server: Server | undefined;

  constructor(private readonly target: string) {}

  async start(): Promise<this> {
    this.server = createServer(async (request, response) => {
      const body = await readBody(request);
      if (this.holding && body.includes('"initialize"')) await new Promise<void>((resolve) => this.held.push(resolve));
      const headers: Record<string, string> = {};
      for (const name of ['content-type', 'accept', 'authorization', 'mcp-session-id', 'mcp-protocol-version']) {
        const value = request.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const upstream = await fetch(this.target, { method: request.method, headers, body: body === '' ? undefined : body });
      const passed: Array<[string, string]> = [];
      upstream.headers.forEach((value, name) => passed.push([name, value]));
      const kept = passed.filter(([name]) => !['content-length', 'transfer-encoding', 'connection'].includes(name));
      response.writeHead(upstream.status, Object.fromEntries(kept));
      response.end(Buffer.from(await upstream.arrayBuffer()));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/mcp`;
    return this;
  }

  release(): void {
    this.held.splice(0).forEach((resume) => resume());
  }

  async stop(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('agents built by an agents factory', () => {
  const llm = new LlmMock();
  let docs: RecordingMcpServer;
  let server: TestApp | undefined;
  let releaseHold: () => void = () => undefined;
  const lines: string[] = [];

  beforeAll(() => llm.start());
  afterAll(() => llm.stop());
  beforeEach(async () => {
    llm.reset();
    lines.length = 0;
    llm.server.on(
      { userMessage: 'search docs', hasToolResult: false },
      { toolCalls: [{ id: 'call_s', name: 'docs_search', arguments: { query: 'guards' } }] },
    );
    llm.server.on({ userMessage: 'search docs', hasToolResult: true }, { content: 'Two pages.' });
    llm.server.on({ userMessage: 'hold on', hasToolResult: false }, { toolCalls: [{ id: 'call_h', name: 'docs_hold', arguments: {} }] });
    llm.server.on({ userMessage: 'hold on', hasToolResult: true }, { content: 'Released.' });
    docs = new RecordingMcpServer();
    docs.mock
      .addTool({ name: 'search', description: 'Search the docs', inputSchema: SEARCH_SCHEMA })
      .onToolCall('search', (args) => `Found 2 pages about ${(args as { query: string }).query}`)
      .addTool({ name: 'hold', description: 'Waits to be released', inputSchema: { type: 'object', properties: {} } })
      .onToolCall('hold', () => new Promise<string>((resolve) => (releaseHold = () => resolve('released'))));
    await docs.start();
  });
  afterEach(async () => {
    Logger.overrideLogger(['error', 'warn']);
    releaseHold();
    await server?.close();
    server = undefined;
    await docs.stop();
  });

  const docsServer = (): McpServerConfig => ({ name: 'docs', url: docs.url });
  const build = (built: CountedAgent[]) => {
    const agent = new CountedAgent({ model: llm.adapter('openai'), mcpServers: [docsServer()] });
    built.push(agent);
    return agent;
  };
  const start = async (agents: AgentsSource) => {
    server = await startCopilotKit({ agents });
    return server;
  };
  /** After the app is created: creating it sets Nest's logger again. */
  const captureLogs = () => {
    class CapturingLogger extends ConsoleLogger {
      protected override printMessages(messages: unknown[], context = '', level = 'log'): void {
        lines.push(`${level} [${context}] ${messages.map(String).join(' ')}`);
      }
    }
    Logger.overrideLogger(new CapturingLogger());
  };
  const openSessions = () => docs.mock.getSessions().size;
  const requestsOf = (rpcMethod: string) => docs.seen.filter((entry) => entry.rpcMethod === rpcMethod).length;
  const deletes = () => docs.seen.filter((entry) => entry.httpMethod === 'DELETE').length;
  const offered = (index: number) => (llm.requests()[index]?.body.tools ?? []).map((tool) => tool.function.name as string);

  async function search(url: string, headers: Record<string, string> = {}) {
    const input = runInput({ text: 'search docs for guards' });
    const { status, events } = await postSse(`${url}/agent/default/run`, input, { headers });
    const result = events.find((event) => event.type === 'TOOL_CALL_RESULT');
    return { status, threadId: input.threadId, last: events.at(-1)?.type, result: result?.content as string | undefined };
  }

  it('closes the agents a factory builds per request once the request is done, so no MCP session is left open', async () => {
    const built: CountedAgent[] = [];
    const { url } = await start(() => ({ default: build(built), spare: build(built) }));

    const runs = 3;
    let threadId = '';
    for (let i = 0; i < runs; i++) {
      const run = await search(url);
      expect([run.status, run.last, run.result]).toEqual([200, 'RUN_FINISHED', 'Found 2 pages about guards']);
      // Each run opened a session of its own for the tool call, ended once the run settled.
      await waitUntil(() => openSessions() === 0);
      threadId = run.threadId;
    }
    for (let i = 0; i < runs; i++) expect(offered(2 * i)).toContain('docs_search');
    expect(requestsOf('tools/call')).toBe(runs);
    expect(requestsOf('initialize')).toBe(runs);
    expect(deletes()).toBe(runs);

    const info = await fetch(`${url}/info`);
    expect(info.status).toBe(200);
    expect(Object.keys((await info.json()).agents).sort()).toEqual(['default', 'spare']);
    const connect = await postSse(`${url}/agent/default/connect`, { threadId });
    expect(connect.events.at(-1)?.type).toBe('RUN_FINISHED');
    expect((await postJson(`${url}/agent/default/stop/${threadId}`)).json).toMatchObject({ stopped: false });
    expect((await postSse(`${url}/agent/nope/run`, runInput())).status).toBe(404);

    // 3 runs, /info, connect, stop and the 404: 7 requests, two agents each, every one closed once.
    await waitUntil(() => built.every((agent) => agent.closes === 1));
    expect(built).toHaveLength(14);
    expect(openSessions()).toBe(0);
    expect(requestsOf('initialize')).toBe(runs);
  });

  it('closes a run’s agent only once the run has ended, and the ones it does not use at once', async () => {
    const built: CountedAgent[] = [];
    const { url } = await start(() => ({ default: build(built), spare: build(built) }));

    const stream = await openSse(`${url}/agent/default/run`, runInput({ text: 'hold on' }));
    await waitUntil(() => docs.toolCalls().some((entry) => entry.toolName === 'hold'));
    const [used, spare] = built;
    await waitUntil(() => spare.closes === 1);
    expect(used.closes).toBe(0);
    expect(openSessions()).toBe(1);

    releaseHold();
    await stream.done;

    expect(stream.events.find((event) => event.type === 'TOOL_CALL_RESULT')?.content).toBe('released');
    expect(stream.events.at(-1)?.type).toBe('RUN_FINISHED');
    await waitUntil(() => used.closes === 1 && openSessions() === 0);
    expect(deletes()).toBe(1);
  });

  it('keeps the agents of a memoizing factory working, reuses their sessions once seen twice, and closes them at shutdown', async () => {
    const cache = new Map<string, CountedAgent>();
    const built: CountedAgent[] = [];
    const { url } = await start(({ request }) => {
      const tenant = String((request as { headers: Record<string, string> }).headers['x-tenant']);
      if (!cache.has(tenant)) cache.set(tenant, build(built));
      return { default: cache.get(tenant)! };
    });
    const acme = { 'x-tenant': 'acme' };

    // The first request cannot tell a cached agent from one built for it: it is closed after it.
    expect((await search(url, acme)).result).toBe('Found 2 pages about guards');
    await waitUntil(() => openSessions() === 0);
    expect(cache.get('acme')!.closes).toBe(1);

    // Returned a second time, it is long-lived: closed no more, one session for every later run.
    const runs = 5;
    for (let i = 0; i < runs; i++) {
      const run = await search(url, acme);
      expect([run.last, run.result]).toEqual(['RUN_FINISHED', 'Found 2 pages about guards']);
    }
    expect((await fetch(`${url}/info`, { headers: acme })).status).toBe(200);
    for (let i = 0; i <= runs; i++) expect(offered(2 * i)).toContain('docs_search');
    expect(requestsOf('tools/call')).toBe(runs + 1);
    expect(requestsOf('initialize')).toBe(2);
    expect(deletes()).toBe(1);
    expect(openSessions()).toBe(1);
    expect(new Set(docs.seen.filter((entry) => entry.rpcMethod === 'tools/call').map((entry) => entry.session)).size).toBe(2);
    expect(cache.get('acme')!.closes).toBe(1);
    expect(built).toHaveLength(1);

    await server!.close();
    server = undefined;

    expect(openSessions()).toBe(0);
    expect(cache.get('acme')!.closes).toBe(2);
    expect(deletes()).toBe(2);
  });

  it('closes a session that finishes opening during close(), and the agent reconnects on its next run', async () => {
    const gate = await new GatedMcpFront(docs.url).start();
    try {
      const agent = new BuiltInAgent({ model: llm.adapter('openai'), mcpServers: [{ name: 'docs', url: gate.url }] });
      const { url } = await start({ default: agent });
      llm.server.on({ userMessage: 'plain' }, { content: 'Plain answer.' });

      gate.holding = true;
      const stream = await openSse(`${url}/agent/default/run`, runInput({ text: 'plain one' }));
      await waitUntil(() => gate.held.length === 1);
      const closing = agent.close();
      gate.release();
      await closing;

      // The session the server opened was ended by close() itself, not left behind.
      expect(requestsOf('initialize')).toBe(1);
      expect(deletes()).toBe(1);
      expect(openSessions()).toBe(0);
      await stream.done;
      expect(stream.events.at(-1)?.type).toBe('RUN_FINISHED');
      expect(offered(0)).not.toContain('docs_search');

      gate.holding = false;
      const next = await postSse(`${url}/agent/default/run`, runInput({ text: 'plain two' }));
      expect(next.events.at(-1)?.type).toBe('RUN_FINISHED');
      expect(offered(1)).toContain('docs_search');
      expect(openSessions()).toBe(1);

      await server!.close();
      server = undefined;
      expect(openSessions()).toBe(0);
    } finally {
      await gate.stop();
    }
  });

  it('logs a close() that throws or rejects as a warning; requests and shutdown go on', async () => {
    const { url } = await start(() => ({ default: new FailingCloseAgent(), other: new RejectingCloseAgent() }));
    captureLogs();

    const first = await postSse(`${url}/agent/default/run`, runInput({ text: 'one' }));
    const info = await fetch(`${url}/info`);
    const second = await postSse(`${url}/agent/default/run`, runInput({ text: 'two' }));

    expect([first.status, first.events.at(-1)?.type]).toEqual([200, 'RUN_FINISHED']);
    expect(info.status).toBe(200);
    expect([second.status, second.events.at(-1)?.type]).toEqual([200, 'RUN_FINISHED']);
    const warnings = () => lines.filter((line) => line.startsWith('warn [AgentRegistry]'));
    await waitUntil(() => warnings().length === 6);
    expect(new Set(warnings())).toEqual(
      new Set([
        "warn [AgentRegistry] Closing agent 'default' (FailingCloseAgent) failed: the pool is wedged",
        "warn [AgentRegistry] Closing agent 'other' (RejectingCloseAgent) failed: the socket is gone",
      ]),
    );
    await expect(server!.close()).resolves.toBeUndefined();
    server = undefined;
  });
});

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString()));
    request.on('error', reject);
  });
}

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
