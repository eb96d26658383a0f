import { ConsoleLogger, Injectable, Logger, Module, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { BuiltInAgent, CopilotAction, CopilotKitConfigurationError, CopilotKitModule, type McpServerConfig } from '../../lib/index.js';
import { LlmMock } from '../fixtures/llm-mock.js';
import { closedPort, RecordingMcpServer, SseMcpServer } from '../fixtures/mcp-servers.js';
import { openSse, postJson, postSse, runInput } from '../fixtures/sse-client.js';
import { startApp, type TestApp } from '../fixtures/test-app.js';

@Injectable()
class NotesService {
  static local: string[] = [];

  @CopilotAction({
    description: 'Save a note',
    parameters: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  })
  saveNote({ text }: { text: string }) {
    return `saved ${text}`;
  }

  /** Named like the docs server's `search` tool as the model would see it: only for the 'collision' agent. */
  @CopilotAction({
    name: 'docs_search',
    agents: ['collision'],
    description: 'Search the local index',
    parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
  })
  localSearch({ query }: { query: string }) {
    NotesService.local.push(query);
    return `local result for ${query}`;
  }
}

@Module({ providers: [NotesService] })
class NotesModule {}

/** The caller's own token, passed on to the MCP server: connections are then kept per caller. */
/** A guard as an app writes it, built by Nest's DI, seeing the run's request. */
@Injectable()
class AdminsOnly implements CanActivate {
  static seen: string[][] = [];

  canActivate(context: ExecutionContext): boolean {
    const role = context.switchToHttp().getRequest<{ headers: Record<string, string> }>().headers['x-role'];
    AdminsOnly.seen.push([context.getClass().name, context.getHandler().name, role]);
    return role === 'admin';
  }
}

const forwardAuthorization = (request: { headers: Record<string, string> }) => ({ Authorization: request.headers.authorization });

const SEARCH_SCHEMA = { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] };

describe('BuiltInAgent with MCP servers', () => {
  const llm = new LlmMock();
  const docs = new RecordingMcpServer();
  const crm = new RecordingMcpServer();
  const flaky = new RecordingMcpServer();
  const legacy = new SseMcpServer();
  let revived: RecordingMcpServer | undefined;
  let offlinePort: number;
  let server: TestApp;
  const agents: BuiltInAgent[] = [];
  const searches: unknown[] = [];
  const crmCalls: unknown[] = [];
  let releaseSlow: () => void = () => undefined;
  const lines: string[] = [];

  beforeAll(async () => {
    await llm.start();
    docs.mock
      .addTool({ name: 'search', description: 'Search the docs', inputSchema: SEARCH_SCHEMA })
      .onToolCall('search', (args) => {
        searches.push(args);
        return `Found 2 pages about ${(args as { query: string }).query}`;
      })
      .addTool({ name: 'explode', description: 'Always fails', inputSchema: { type: 'object', properties: {} } })
      .onToolCall('explode', () => {
        throw new Error('the index is corrupt');
      })
      .addTool({ name: 'slow', description: 'Takes its time', inputSchema: { type: 'object', properties: {} } })
      .onToolCall('slow', () => new Promise<string>((resolve) => (releaseSlow = () => resolve('finally'))))
      .addTool({ name: 'media', description: 'Returns mixed content', inputSchema: { type: 'object', properties: {} } })
      .onToolCall('media', () => [
        { type: 'text', text: 'Here is the chart.' },
        { type: 'image', data: Buffer.alloc(300).toString('base64'), mimeType: 'image/png' },
        { type: 'resource', resource: { uri: 'docs://guide.md', text: '# Guide' } },
        { type: 'resource', resource: { uri: 'docs://logo.png', blob: 'AAAA', mimeType: 'image/png' } },
      ])
      .addTool({ name: 'admin', description: 'Not for the model', inputSchema: { type: 'object', properties: {} } });
    crm.mock
      .addTool({ name: 'lookup', description: 'Look up a customer', inputSchema: { type: 'object', properties: {} } })
      .onToolCall('lookup', (args) => {
        crmCalls.push(args);
        return 'customer #1';
      });
    await Promise.all([docs.start(), crm.start(), flaky.start(), legacy.start()]);
    offlinePort = await closedPort();

    const docsServer: McpServerConfig = { name: 'docs', url: docs.url, tools: ['search', 'explode', 'slow', 'media'] };
    const agent = (mcpServers: McpServerConfig[]) => {
      const built = new BuiltInAgent({ model: llm.adapter('openai'), mcpServers });
      agents.push(built);
      return built;
    };
    server = await startApp([
      NotesModule,
      CopilotKitModule.forRoot({
        agents: {
          default: agent([docsServer]),
          perUser: agent([{ name: 'crm', url: crm.url, headers: forwardAuthorization }]),
          partial: agent([docsServer, { name: 'offline', url: `http://127.0.0.1:${offlinePort}/mcp`, headers: forwardAuthorization }]),
          flaky: agent([{ name: 'flaky', url: flaky.url }]),
          legacy: agent([{ name: 'legacy', url: legacy.url, transport: 'sse' }]),
          collision: agent([docsServer]),
          guarded: agent([{ ...docsServer, guards: [AdminsOnly] }]),
        },
      }),
    ]);
    // After startApp: creating the app sets Nest's logger again.
    class CapturingLogger extends ConsoleLogger {
      protected override printMessages(messages: unknown[], context = '', level = 'log'): void {
        lines.push(`${level} [${context}] ${messages.map(String).join(' ')}`);
      }
    }
    Logger.overrideLogger(new CapturingLogger());
  });
  afterAll(async () => {
    Logger.overrideLogger(['error', 'warn']);
    releaseSlow();
    await Promise.all(agents.map((agent) => agent.close()));
    await server.close();
    await Promise.all([docs.stop(), crm.stop(), flaky.stop(), legacy.stop(), revived?.stop(), llm.stop()]);
  });
  beforeEach(() => {
    llm.reset();
    lines.length = 0;
    searches.length = 0;
  });

  async function run(agent: string, text: string, headers: Record<string, string> = {}) {
    const { events } = await postSse(`${server.url}/agent/${agent}/run`, runInput({ text }), { headers });
    return { events, types: events.map((e) => e.type as string), result: events.find((e) => e.type === 'TOOL_CALL_RESULT') };
  }
  const offeredTools = (index = 0) => (llm.requests()[index].body.tools ?? []).map((tool) => tool.function);
  const warnings = () => lines.filter((line) => line.startsWith('warn'));

  it('offers the MCP tools next to the backend actions, prefixed with the server name and limited to the allow-list', async () => {
    llm.server.on({ userMessage: 'what can you do' }, { content: 'Many things.' });

    const { types } = await run('default', 'what can you do?');

    expect(types.at(-1)).toBe('RUN_FINISHED');
    const tools = offeredTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['docs_explode', 'docs_media', 'docs_search', 'docs_slow', 'saveNote']);
    expect(tools.find((tool) => tool.name === 'docs_search')).toMatchObject({ description: 'Search the docs', parameters: SEARCH_SCHEMA });
  });

  it('runs a tool call on the MCP server, streams its result as TOOL_CALL_RESULT and gives it back to the model', async () => {
    llm.server.on(
      { userMessage: 'search docs', hasToolResult: false },
      { toolCalls: [{ id: 'call_s', name: 'docs_search', arguments: { query: 'guards' } }] },
    );
    llm.server.on({ userMessage: 'search docs', hasToolResult: true }, { content: 'There are two pages.' });

    const { types, result } = await run('default', 'search docs for guards');

    expect(searches).toEqual([{ query: 'guards' }]);
    expect(docs.toolCalls().at(-1)).toMatchObject({ toolName: 'search' });
    expect(types).toEqual(expect.arrayContaining(['TOOL_CALL_START', 'TOOL_CALL_END', 'TOOL_CALL_RESULT', 'TEXT_MESSAGE_CONTENT']));
    expect(types.indexOf('TOOL_CALL_RESULT')).toBeLessThan(types.indexOf('TEXT_MESSAGE_START'));
    expect(result).toMatchObject({ toolCallId: 'call_s', role: 'tool', content: 'Found 2 pages about guards' });
    expect(llm.requests()[1].body.messages.at(-1)).toMatchObject({
      role: 'tool',
      tool_call_id: 'call_s',
      content: 'Found 2 pages about guards',
    });
    expect(types.at(-1)).toBe('RUN_FINISHED');
  });

  it('rejects invalid arguments before anything reaches the MCP server', async () => {
    const callsBefore = docs.toolCalls().length;
    llm.server.on(
      { userMessage: 'bad args', hasToolResult: false },
      { toolCalls: [{ id: 'call_b', name: 'docs_search', arguments: { query: 42 } }] },
    );
    llm.server.on({ userMessage: 'bad args', hasToolResult: true }, { content: 'Let me fix that.' });

    const { result, types } = await run('default', 'bad args please');

    expect(JSON.parse(result!.content)).toEqual({
      error: 'invalid_arguments',
      message: "The arguments for 'docs_search' are invalid: query: must be string",
      issues: [{ path: 'query', message: 'must be string' }],
    });
    expect(docs.toolCalls()).toHaveLength(callsBefore);
    expect(searches).toEqual([]);
    expect(types.at(-1)).toBe('RUN_FINISHED');
  });

  it('turns an isError result into an error result the model reads', async () => {
    llm.server.on({ userMessage: 'explode', hasToolResult: false }, { toolCalls: [{ id: 'call_x', name: 'docs_explode', arguments: {} }] });
    llm.server.on({ userMessage: 'explode', hasToolResult: true }, { content: 'The tool failed.' });

    const { result } = await run('default', 'explode now');

    expect(JSON.parse(result!.content)).toEqual({
      error: 'failed',
      message: "The tool 'docs_explode' reported an error: the index is corrupt",
    });
    expect(llm.requests()[1].body.messages.at(-1)).toMatchObject({ role: 'tool', content: result!.content });
  });

  it('turns text, image and resource content into text the model reads, binary data left out', async () => {
    llm.server.on({ userMessage: 'media', hasToolResult: false }, { toolCalls: [{ id: 'call_m', name: 'docs_media', arguments: {} }] });
    llm.server.on({ userMessage: 'media', hasToolResult: true }, { content: 'Done.' });

    const { result } = await run('default', 'media please');

    expect(result!.content).toBe(
      'Here is the chart.\n[image image/png, 300 bytes, not shown]\n[resource docs://guide.md]\n# Guide\n[resource docs://logo.png image/png, 3 bytes, not shown]',
    );
  });

  it('reuses one MCP session across runs', async () => {
    llm.server.on({ userMessage: 'reuse' }, { content: 'ok' });
    const initializes = () => docs.seen.filter((entry) => entry.rpcMethod === 'initialize').length;
    const before = initializes();

    await run('default', 'reuse one');
    await run('default', 'reuse two');

    expect(offeredTools(0).map((tool) => tool.name)).toContain('docs_search');
    expect(offeredTools(1).map((tool) => tool.name)).toContain('docs_search');
    // Only the 'default' agent has talked to this server so far, and it opened one session, once.
    expect(initializes()).toBe(before);
    expect(before).toBe(1);
    expect(docs.mock.getSessions().size).toBe(1);
    expect(new Set(docs.seen.filter((entry) => entry.session).map((entry) => entry.session)).size).toBe(1);
  });

  it("keeps one session per caller, each carrying its own caller's Authorization", async () => {
    llm.server.on({ userMessage: 'customer', hasToolResult: false }, { toolCalls: [{ id: 'call_c', name: 'crm_lookup', arguments: {} }] });
    llm.server.on({ userMessage: 'customer', hasToolResult: true }, { content: 'Found the customer.' });

    const alice = await run('perUser', 'customer for alice', { Authorization: 'Bearer alice' });
    const bob = await run('perUser', 'customer for bob', { Authorization: 'Bearer bob' });
    await run('perUser', 'customer for alice again', { Authorization: 'Bearer alice' });

    expect([alice.result?.content, bob.result?.content]).toEqual(['customer #1', 'customer #1']);
    expect(crmCalls).toHaveLength(3);
    const initializes = crm.seen.filter((entry) => entry.rpcMethod === 'initialize');
    expect(initializes.map((entry) => entry.authorization)).toEqual(['Bearer alice', 'Bearer bob']);
    expect(crm.mock.getSessions().size).toBe(2);
    const sessionsOf = (token: string) =>
      new Set(crm.seen.filter((entry) => entry.session && entry.authorization === token).map((entry) => entry.session));
    expect(sessionsOf('Bearer alice').size).toBe(1);
    expect(sessionsOf('Bearer bob').size).toBe(1);
    expect([...sessionsOf('Bearer alice')][0]).not.toBe([...sessionsOf('Bearer bob')][0]);
    // Every request of a session carries the token it was opened with; calls went out as their caller.
    for (const entry of crm.seen.filter((seen) => seen.session)) {
      expect(entry.authorization).toBe(sessionsOf('Bearer alice').has(entry.session!) ? 'Bearer alice' : 'Bearer bob');
    }
    expect(crm.toolCalls().map((entry) => entry.authorization)).toEqual(['Bearer alice', 'Bearer bob', 'Bearer alice']);

    // A caller without a token gets a session of its own, opened without the header.
    const anonymous = await run('perUser', 'customer for nobody');
    expect(anonymous.result?.content).toBe('customer #1');
    expect(crm.seen.filter((entry) => entry.rpcMethod === 'initialize').map((entry) => entry.authorization)).toEqual([
      'Bearer alice',
      'Bearer bob',
      undefined,
    ]);
    expect(crm.mock.getSessions().size).toBe(3);
  });

  it('runs without the tools of a server that is down, warns once without secrets, and reconnects later with backoff', async () => {
    llm.server.on({ userMessage: 'partial' }, { content: 'Still here.' });
    const alice = { Authorization: 'Bearer alice-secret' };

    const first = await run('partial', 'partial one', alice);
    const second = await run('partial', 'partial two', { Authorization: 'Bearer bob-secret' });

    expect(first.types.at(-1)).toBe('RUN_FINISHED');
    expect(second.types.at(-1)).toBe('RUN_FINISHED');
    expect(
      offeredTools(0)
        .map((tool) => tool.name)
        .sort(),
    ).toEqual(['docs_explode', 'docs_media', 'docs_search', 'docs_slow', 'saveNote']);
    // Two callers, two connections that failed: one outage, one warning.
    const outage = warnings().filter((line) => line.includes("MCP server 'offline'"));
    expect(outage).toHaveLength(1);
    expect(outage[0]).toContain('ECONNREFUSED');
    expect(lines.join('\n')).not.toMatch(/alice-secret|bob-secret/);

    revived = new RecordingMcpServer();
    revived.mock.addTool({ name: 'status', description: 'Status', inputSchema: { type: 'object', properties: {} } });
    await revived.start(offlinePort);
    // Within the backoff (1 s after the first failure), runs do not even try.
    await run('partial', 'partial three', alice);
    expect(revived.seen).toEqual([]);
    expect(offeredTools(2).map((tool) => tool.name)).not.toContain('offline_status');

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await run('partial', 'partial four', alice);

    expect(offeredTools(3).map((tool) => tool.name)).toContain('offline_status');
    expect(revived.seen[0]).toMatchObject({ rpcMethod: 'initialize', authorization: 'Bearer alice-secret' });
    expect(lines).toContainEqual(expect.stringContaining("MCP server 'offline' is available again"));
  });

  it('answers a call to a server that lost the session or went away with an error result, and reconnects', async () => {
    const addPing = () =>
      flaky.mock
        .addTool({ name: 'ping', description: 'Ping', inputSchema: { type: 'object', properties: {} } })
        .onToolCall('ping', () => 'pong');
    llm.server.on({ userMessage: 'flaky', hasToolResult: false }, { toolCalls: [{ id: 'call_p', name: 'flaky_ping', arguments: {} }] });
    llm.server.on({ userMessage: 'flaky', hasToolResult: true }, { content: 'Handled.' });
    const flakyTools = (index: number) => (llm.requests()[index].body.tools ?? []).map((tool) => tool.function.name);

    addPing();
    // The server restarts between runs and forgets every session.
    expect((await run('flaky', 'flaky one')).result?.content).toBe('pong');
    flaky.mock.reset();
    addPing();
    const lostSession = await run('flaky', 'flaky two');
    expect(JSON.parse(lostSession.result!.content)).toMatchObject({
      error: 'failed',
      message: expect.stringContaining("The MCP server 'flaky' could not be reached"),
    });
    expect(llm.requests()[3].body.messages.at(-1)).toMatchObject({
      role: 'tool',
      tool_call_id: 'call_p',
      content: lostSession.result!.content,
    });
    expect(lostSession.types.at(-1)).toBe('RUN_FINISHED');
    // The next run opens a new session at once.
    expect((await run('flaky', 'flaky three')).result?.content).toBe('pong');
    expect(flaky.seen.filter((entry) => entry.rpcMethod === 'initialize')).toHaveLength(2);
    expect(lines).toContainEqual(expect.stringContaining("MCP server 'flaky' is available again"));

    // Now it goes away for good: the call in flight fails, later runs go on without its tools.
    await flaky.stop();
    const down = await run('flaky', 'flaky four');
    expect(JSON.parse(down.result!.content)).toMatchObject({ error: 'failed', message: expect.stringContaining('ECONNREFUSED') });
    llm.server.on({ userMessage: 'after' }, { content: 'Without it, then.' });
    const after = await run('flaky', 'after the outage');
    expect(after.types.at(-1)).toBe('RUN_FINISHED');
    expect(flakyTools(llm.requests().length - 1)).toEqual(['saveNote']);
    expect(warnings().filter((line) => line.includes("MCP server 'flaky'"))).toHaveLength(2);
  });

  it('cancels the MCP call when the run is stopped', async () => {
    llm.server.on({ userMessage: 'slow', hasToolResult: false }, { toolCalls: [{ id: 'call_slow', name: 'docs_slow', arguments: {} }] });
    const input = runInput({ text: 'slow please' });
    const stream = await openSse(`${server.url}/agent/default/run`, input);
    await waitUntil(() => docs.toolCalls().some((entry) => entry.toolName === 'slow'));

    await postJson(`${server.url}/agent/default/stop/${input.threadId}`);
    await stream.done;

    await waitUntil(() => docs.seen.some((entry) => entry.rpcMethod === 'notifications/cancelled'));
    expect(stream.events.some((event) => event.type === 'TOOL_CALL_RESULT')).toBe(false);
    releaseSlow();
  });

  it('speaks the HTTP+SSE transport too, with sanitized tool names, over one session', async () => {
    llm.server.on(
      { userMessage: 'shout', hasToolResult: false },
      { toolCalls: [{ id: 'call_e', name: 'legacy_echo_upper', arguments: { text: 'hi' } }] },
    );
    llm.server.on({ userMessage: 'shout', hasToolResult: true }, { content: 'Done.' });

    const first = await run('legacy', 'shout hi');
    const second = await run('legacy', 'shout hi again');

    expect(offeredTools(0).map((tool) => tool.name)).toEqual(['saveNote', 'legacy_echo_upper']);
    expect([first.result?.content, second.result?.content]).toEqual(['HI', 'HI']);
    expect(legacy.calls).toEqual([{ text: 'hi' }, { text: 'hi' }]);
    expect(legacy.seen.filter((entry) => entry.httpMethod === 'GET')).toHaveLength(1);
    expect(legacy.openSessions).toBe(1);
  });

  it('lets a backend action win over an MCP tool of the same name, with a warning', async () => {
    llm.server.on(
      { userMessage: 'collide', hasToolResult: false },
      { toolCalls: [{ id: 'call_l', name: 'docs_search', arguments: { query: 'x' } }] },
    );
    llm.server.on({ userMessage: 'collide', hasToolResult: true }, { content: 'ok' });

    const { result } = await run('collision', 'collide now');

    const offered = offeredTools(0).filter((tool) => tool.name === 'docs_search');
    expect(offered).toEqual([expect.objectContaining({ description: 'Search the local index' })]);
    expect(result?.content).toBe('local result for x');
    expect(NotesService.local).toEqual(['x']);
    expect(searches).toEqual([]);
    expect(warnings()).toContainEqual(
      expect.stringContaining("MCP tool 'search' of server 'docs' is not offered: a backend action is also named 'docs_search'"),
    );
  });

  it('validates the MCP servers when the agent is built', () => {
    const build = (mcpServers: unknown) => () =>
      new BuiltInAgent({ model: llm.adapter('openai'), mcpServers: mcpServers as McpServerConfig[] });
    const url = 'http://127.0.0.1:1/mcp';
    expect(build([{ name: 'my_server', url }])).toThrow(CopilotKitConfigurationError);
    expect(build([{ name: 'my_server', url }])).toThrow(/'name' must be 1-32 letters, digits or '-'/);
    expect(
      build([
        { name: 'a', url },
        { name: 'a', url },
      ]),
    ).toThrow(/another MCP server is already named 'a'/);
    expect(build([{ name: 'a', url: 'ftp://x' }])).toThrow(/'url' must be an http\(s\) URL/);
    expect(build([{ name: 'a', url, transport: 'ws' }])).toThrow(/'transport' must be 'http' or 'sse'/);
    expect(build([{ name: 'a', url, headers: () => ({}), perUser: false }])).toThrow(/connections must be per caller/);
    expect(build([{ name: 'a', url, perUser: true }])).toThrow(/'perUser' needs a way to tell callers apart/);
    expect(build([{ name: 'a', url, tools: 'search' }])).toThrow(/'tools' must be an array/);
    expect(build([{ name: 'a', url, callTimeoutMs: 0 }])).toThrow(/'callTimeoutMs' must be a positive integer/);
    expect(build([{ name: 'a', url, headers: { Authorization: 'Bearer x' }, perUser: true, userKey: () => 'u' }])).not.toThrow();
  });

  it("offers a guarded server's tools only to callers its Nest guards let through", async () => {
    llm.server.on({ userMessage: 'guarded tools' }, { content: 'ok' });
    await run('guarded', 'guarded tools please', { 'x-role': 'member' });
    await run('guarded', 'guarded tools please', { 'x-role': 'admin' });
    expect(offeredTools(0).map((tool) => tool.name)).toEqual(['saveNote']);
    expect(
      offeredTools(1)
        .map((tool) => tool.name)
        .sort(),
    ).toEqual(['docs_explode', 'docs_media', 'docs_search', 'docs_slow', 'saveNote']);
    expect(AdminsOnly.seen).toEqual([
      ['McpToolSource', 'docs', 'member'],
      ['McpToolSource', 'docs', 'admin'],
    ]);
  });

  it('closes the MCP sessions of forRoot agents when the app shuts down', async () => {
    llm.server.on(
      { userMessage: 'shutdown check', hasToolResult: false },
      { toolCalls: [{ id: 'sd1', name: 'crm_lookup', arguments: {} }] },
    );
    llm.server.on({ userMessage: 'shutdown check', hasToolResult: true }, { content: 'done' });
    const before = crm.mock.getSessions().size;
    const other = await startApp([
      CopilotKitModule.forRoot({
        agents: { own: new BuiltInAgent({ model: llm.adapter('openai'), mcpServers: [{ name: 'crm', url: crm.url }] }) },
      }),
    ]);
    await postSse(`${other.url}/agent/own/run`, runInput({ text: 'shutdown check' }));
    expect(crm.mock.getSessions().size).toBe(before + 1);
    await other.close();
    expect(crm.mock.getSessions().size).toBe(before);
  });

  it('close() ends the sessions on the servers, and a later run opens its session again', async () => {
    expect(crm.mock.getSessions().size).toBe(3);
    await agents[1].close();
    expect(crm.mock.getSessions().size).toBe(0);
    // close() releases the sessions without disabling the agent (an agents factory's cached agent
    // is closed after its first request and serves the next ones).
    const initializes = () => crm.seen.filter((entry) => entry.rpcMethod === 'initialize').length;
    const before = initializes();
    llm.server.on({ userMessage: 'closed' }, { content: 'ok' });
    const { types } = await run('perUser', 'closed now', { Authorization: 'Bearer alice' });
    expect(types.at(-1)).toBe('RUN_FINISHED');
    expect(offeredTools(0).map((tool) => tool.name)).toEqual(['saveNote', 'crm_lookup']);
    expect(initializes()).toBe(before + 1);
    expect(crm.mock.getSessions().size).toBe(1);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
