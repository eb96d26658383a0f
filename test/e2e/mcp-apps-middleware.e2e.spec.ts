import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { HttpAgent } from '@ag-ui/client';
import { getServerHash, MCPAppsActivityType, MCPAppsMiddleware, type MCPClientConfig } from '@ag-ui/mcp-apps-middleware';
import { BuiltInAgent, CopilotKitModule, SqliteAgentRunner } from '../../lib/index.js';
import { LlmMock } from '../fixtures/llm-mock.js';
import { RecordingMcpServer } from '../fixtures/mcp-servers.js';
import { openSse, postJson, postSse, runInput } from '../fixtures/sse-client.js';
import { startApp, type TestApp } from '../fixtures/test-app.js';

const WEATHER_CARD = 'ui://weather/card';

/**
 * `@ag-ui/mcp-apps-middleware`, the middleware of the official docs' headline BuiltInAgent example,
 * against a real MCP server: it offers the server's UI tools to the model, runs the call the model
 * makes on the server and streams the result with the activity the page renders the app from.
 */
describe('MCPAppsMiddleware on the built-in agent', () => {
  const llm = new LlmMock();
  const mcp = new RecordingMcpServer();
  const dir = mkdtempSync(join(tmpdir(), 'mcp-apps-'));
  let server: TestApp;
  let config: MCPClientConfig;

  beforeAll(async () => {
    await llm.start();
    await mcp.start();
    mcp.mock.addTool({
      name: 'showWeather',
      description: 'Show the weather card for a city',
      inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      _meta: { ui: { resourceUri: WEATHER_CARD } },
    } as never);
    mcp.mock.addTool({ name: 'plainTool', description: 'No UI', inputSchema: { type: 'object', properties: {} } });
    mcp.mock.onToolCall('showWeather', (args) => `Sunny in ${(args as { city: string }).city}`);
    mcp.mock.addResource({ uri: WEATHER_CARD, name: 'Weather card', mimeType: 'text/html;profile=mcp-app' }, {
      text: '<p>card</p>',
      mimeType: 'text/html;profile=mcp-app',
    } as never);
    config = { type: 'http', url: mcp.url };
    llm.server.on(
      { userMessage: 'weather', hasToolResult: false },
      { toolCalls: [{ id: 'call_card', name: 'showWeather', arguments: { city: 'Oslo' } }] },
    );
    llm.server.onMessage('slow', { content: 'word '.repeat(60) }, { latency: 15 });
    server = await startApp([
      CopilotKitModule.forRoot({
        agents: { default: new BuiltInAgent({ model: llm.adapter('openai') }).use(new MCPAppsMiddleware({ mcpServers: [config] })) },
        runner: new SqliteAgentRunner({ path: join(dir, 'threads.sqlite') }),
      }),
    ]);
  });
  afterAll(async () => {
    await server.close();
    await mcp.stop();
    await llm.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("offers only the server's UI tools, runs the model's call on the server and streams the app's activity", async () => {
    const agent = new HttpAgent({ url: `${server.url}/agent/default/run` });
    agent.addMessage({ id: randomUUID(), role: 'user', content: 'weather in Oslo' });
    const { newMessages } = await agent.runAgent();

    const tools = llm.requests()[0].body.tools!.map((tool) => tool.function);
    expect(tools.map((tool) => tool.name)).toEqual(['showWeather']);
    expect(tools[0].description).toContain(`[UI Resource: ${WEATHER_CARD}]`);
    expect(mcp.toolCalls().map((call) => call.toolName)).toEqual(['showWeather']);

    const result = newMessages.find((message) => message.role === 'tool');
    expect(result).toMatchObject({ toolCallId: 'call_card', content: 'Sunny in Oslo' });
    const activity = newMessages.find((message) => message.role === 'activity') as {
      activityType?: string;
      content?: Record<string, unknown>;
    };
    expect(activity).toMatchObject({
      activityType: MCPAppsActivityType,
      content: { resourceUri: WEATHER_CARD, serverHash: getServerHash(config), toolInput: { city: 'Oslo' } },
    });
  });

  it('stores what the middleware emitted: a reconnect replays the result and the activity', async () => {
    const input = runInput({ text: 'weather again' });
    const live = await postSse(`${server.url}/agent/default/run`, input);
    const types = live.events.map((e) => e.type);
    expect(types.slice(-3)).toEqual(['TOOL_CALL_RESULT', 'ACTIVITY_SNAPSHOT', 'RUN_FINISHED']);

    const replay = await postSse(`${server.url}/agent/default/connect`, { threadId: input.threadId });
    const replayed = replay.events.filter((e) => e.type === 'TOOL_CALL_RESULT' || e.type === 'ACTIVITY_SNAPSHOT');
    expect(replayed).toEqual([
      expect.objectContaining({ toolCallId: 'call_card', content: 'Sunny in Oslo' }),
      expect.objectContaining({ activityType: MCPAppsActivityType, content: expect.objectContaining({ resourceUri: WEATHER_CARD }) }),
    ]);
  });

  it("answers the app's proxied MCP request (resources/read) through the run route", async () => {
    const agent = new HttpAgent({ url: `${server.url}/agent/default/run` });
    const { result } = await agent.runAgent({
      forwardedProps: {
        __proxiedMCPRequest: { serverHash: getServerHash(config), method: 'resources/read', params: { uri: WEATHER_CARD } },
      },
    });
    expect(result).toMatchObject({ contents: [expect.objectContaining({ uri: WEATHER_CARD, text: '<p>card</p>' })] });
  });

  it('a stop under the middleware ends the run at once and aborts the model call', async () => {
    const input = runInput({ text: 'slow please' });
    const stream = await openSse(`${server.url}/agent/default/run`, input);
    await stream.waitFor((e) => e.type === 'TEXT_MESSAGE_CONTENT');
    const abortedBefore = llm.connections.aborted;

    await postJson(`${server.url}/agent/default/stop/${input.threadId}`);
    await stream.done;

    await waitFor(() => llm.connections.aborted === abortedBefore + 1);
    expect(stream.events.at(-1)).toMatchObject({ type: 'RUN_FINISHED' });
    const replay = await postSse(`${server.url}/agent/default/connect`, { threadId: input.threadId });
    expect(replay.events.at(-1)).toMatchObject({ type: 'RUN_FINISHED', runId: input.runId });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
