import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpAgent, type BaseEvent } from '@ag-ui/client';
import { jest } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { BuiltInAgent, CopilotAction, CopilotKitModule, SqliteAgentRunner } from '../../lib/index.js';
import { LlmMock, type Provider } from '../fixtures/llm-mock.js';
import { startApp, type TestApp } from '../fixtures/test-app.js';

// @copilotkit/core only connects to a runtime where a `window` exists (a browser). A bare object
// is enough for it to take the browser path in Node; it is installed before the module loads.
(globalThis as { window?: unknown }).window ??= {};
const { CopilotKitCore, CopilotKitCoreRuntimeConnectionStatus } = await import('@copilotkit/core');

/** An action that takes the snapshot tool's name: the app's own tool wins. */
@Injectable()
class ShadowingService {
  static calls = 0;

  @CopilotAction({
    name: 'AGUISendStateSnapshot',
    description: "The app's own snapshot action",
    parameters: { type: 'object', properties: { snapshot: { type: 'object' } } },
  })
  snapshot() {
    ShadowingService.calls++;
    return 'saved';
  }
}

@Module({ providers: [ShadowingService] })
class ShadowingModule {}

const STATE_TOOLS = ['AGUISendStateSnapshot', 'AGUISendStateDelta'];
const milk = { title: 'Buy milk', done: false };
type Body = ReturnType<LlmMock['requests']>[number]['body'];
const systemOf = (body: Body) => String(body.messages.find((m) => m.role === 'system')?.content ?? '');
const toolNames = (body: Body) => (body.tools ?? []).map((tool) => tool.function?.name ?? tool.name);

const dir = mkdtempSync(join(tmpdir(), 'shared-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each<Provider>(['openai', 'anthropic'])('shared state with the built-in agent on %s', (provider) => {
  const llm = new LlmMock();
  let server: TestApp;
  let shadowed: TestApp;

  beforeAll(async () => {
    await llm.start();
    const agent = (extra = {}) => new BuiltInAgent({ model: llm.adapter(provider), instructions: 'You keep a todo list.', ...extra });
    server = await startApp([
      CopilotKitModule.forRoot({
        agents: { default: agent(), always: agent({ stateTools: true }), never: agent({ stateTools: false }) },
        runner: new SqliteAgentRunner({ path: join(dir, `${provider}.sqlite`) }),
      }),
    ]);
    shadowed = await startApp([ShadowingModule, CopilotKitModule.forRoot({ agents: { default: agent() } })]);
  });
  afterAll(async () => {
    await shadowed.close();
    await server.close();
    await llm.stop();
  });
  beforeEach(() => {
    llm.reset();
    ShadowingService.calls = 0;
  });

  /** The model adds a todo with a JSON Patch, then answers. */
  function onAddMilk() {
    llm.server.on(
      { userMessage: 'add milk', hasToolResult: false },
      {
        toolCalls: [{ id: 'call_add', name: 'AGUISendStateDelta', arguments: { delta: [{ op: 'add', path: '/todos/-', value: milk }] } }],
      },
    );
    llm.server.on({ userMessage: 'add milk', hasToolResult: true }, { content: 'Added "Buy milk".' });
  }

  async function run(agentId: string, text: string, state: Record<string, unknown>, threadId = randomUUID()) {
    const client = new HttpAgent({ url: `${server.url}/agent/${agentId}/run`, threadId, initialState: state });
    client.addMessage({ id: randomUUID(), role: 'user', content: text });
    const events: BaseEvent[] = [];
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await client.runAgent({}, { onEvent: ({ event }) => void events.push(event) });
      return { client, events, types: events.map((event) => event.type), warnings: warn.mock.calls.map((call) => String(call[0])) };
    } finally {
      warn.mockRestore();
    }
  }

  it('applies a JSON Patch the model sends, on the client and in its next model call', async () => {
    onAddMilk();
    const { client, events, types, warnings } = await run('default', 'add milk', { todos: [] });

    expect(client.state).toEqual({ todos: [milk] });
    expect(warnings).toEqual([]);
    const lifecycle = types.filter((type) => type.startsWith('TOOL_CALL_') || type.startsWith('STATE_') || type === 'TEXT_MESSAGE_START');
    expect(lifecycle).toEqual([
      'TOOL_CALL_START',
      ...lifecycle.filter((type) => type === 'TOOL_CALL_ARGS'),
      'TOOL_CALL_END',
      // The state the patch applies to, so a replay of the thread does not depend on the client's.
      'STATE_SNAPSHOT',
      'STATE_DELTA',
      'TOOL_CALL_RESULT',
      'TEXT_MESSAGE_START',
    ]);
    expect(events.find((e) => e.type === 'STATE_SNAPSHOT')).toMatchObject({ snapshot: { todos: [] } });
    expect(events.find((e) => e.type === 'STATE_DELTA')).toMatchObject({ delta: [{ op: 'add', path: '/todos/-', value: milk }] });
    expect(events.find((e) => e.type === 'TOOL_CALL_RESULT')).toMatchObject({ toolCallId: 'call_add', content: '{"status":"ok"}' });
    expect(client.messages.at(-1)).toMatchObject({ role: 'assistant', content: 'Added "Buy milk".' });

    const [first, second] = llm.requests().map((request) => request.body);
    expect(toolNames(first)).toEqual(STATE_TOOLS);
    expect(systemOf(first)).toContain('"todos": []');
    expect(systemOf(first)).toContain('AGUISendStateDelta');
    expect(systemOf(second)).toContain('"title": "Buy milk"');
    expect(second.messages.at(-1)).toMatchObject({ role: 'tool', content: '{"status":"ok"}' });
  });

  it('sends the patched state with the next run, and a fresh client gets it from connect', async () => {
    onAddMilk();
    const { client } = await run('default', 'add milk', { todos: [] });
    llm.server.onMessage('how many', { content: 'One.' });
    client.addMessage({ id: randomUUID(), role: 'user', content: 'how many todos?' });
    await client.runAgent();
    // The server keeps no state between runs: what the model sees came from the client.
    expect(systemOf(llm.requests().at(-1)!.body)).toContain('"title": "Buy milk"');

    const core = await connectedCore(server.url);
    const browser = core.getAgent('default')!;
    browser.threadId = client.threadId;
    await core.connectAgent({ agent: browser });
    expect(browser.state).toEqual({ todos: [milk] });
    expect(browser.messages.map((m) => m.content).filter(Boolean)).toEqual(expect.arrayContaining(['Added "Buy milk".', 'One.']));

    const stored = await fetch(`${server.url}/threads/${client.threadId}/state`).then((response) => response.json());
    expect(stored).toEqual({ state: { todos: [milk] } });
  });

  it('replaces the whole state with a snapshot; a delta after it applies to the snapshot', async () => {
    const walk = { title: 'Walk the dog', done: true };
    llm.server.on(
      { userMessage: 'start over', hasToolResult: false },
      {
        toolCalls: [
          { id: 'call_snap', name: 'AGUISendStateSnapshot', arguments: { snapshot: { todos: [walk], owner: 'ann' } } },
          { id: 'call_rm', name: 'AGUISendStateDelta', arguments: { delta: [{ op: 'remove', path: '/owner' }] } },
        ],
      },
    );
    llm.server.on({ userMessage: 'start over', hasToolResult: true }, { content: 'Started over.' });

    const { client, events, types } = await run('default', 'start over', { todos: [milk] });

    expect(client.state).toEqual({ todos: [walk] });
    expect(types.filter((type) => type.startsWith('STATE_') || type === 'TOOL_CALL_RESULT')).toEqual([
      'STATE_SNAPSHOT',
      'TOOL_CALL_RESULT',
      'STATE_DELTA',
      'TOOL_CALL_RESULT',
    ]);
    expect(events.find((e) => e.type === 'STATE_SNAPSHOT')).toMatchObject({ snapshot: { todos: [walk], owner: 'ann' } });
    expect(systemOf(llm.requests()[1].body)).toContain('"title": "Walk the dog"');
    expect(systemOf(llm.requests()[1].body)).not.toContain('"owner"');
  });

  it('answers a patch that does not apply with an error the model can act on, and changes nothing', async () => {
    llm.server.on(
      { userMessage: 'remove the fifth', hasToolResult: false },
      { toolCalls: [{ id: 'call_bad', name: 'AGUISendStateDelta', arguments: { delta: [{ op: 'remove', path: '/todos/5' }] } }] },
    );
    llm.server.on({ userMessage: 'remove the fifth', hasToolResult: true }, { content: 'There is no fifth todo.' });

    const { client, events, types } = await run('default', 'remove the fifth', { todos: [milk] });

    expect(types.filter((type) => type.startsWith('STATE_'))).toEqual([]);
    expect(client.state).toEqual({ todos: [milk] });
    const result = events.find((e) => e.type === 'TOOL_CALL_RESULT') as unknown as { content: string };
    expect(JSON.parse(result.content)).toEqual({
      error: 'invalid_state_change',
      message: expect.stringMatching(/^Operation 0 \(remove \/todos\/5\) does not apply to the current state: .+the state is unchanged\.$/),
    });
    expect(client.messages.at(-1)).toMatchObject({ role: 'assistant', content: 'There is no fifth todo.' });
    const second = llm.requests()[1].body;
    expect(second.messages.at(-1)).toMatchObject({ role: 'tool', content: result.content });
    expect(systemOf(second)).toContain('"title": "Buy milk"');
  });

  it.each([
    ['default', {}, []],
    ['default', { todos: [] }, STATE_TOOLS],
    ['always', {}, STATE_TOOLS],
    ['never', { todos: [] }, []],
  ])('agent %s with state %j offers %j', async (agentId, state, offered) => {
    llm.server.onMessage('hello', { content: 'Hi.' });
    await run(agentId, 'hello', state);
    const body = llm.requests()[0].body;
    expect(toolNames(body)).toEqual(offered);
    expect(systemOf(body).includes('AGUISendStateDelta')).toBe(offered.length > 0);
  });

  it('leaves a name to a backend action that has it, and offers the other state tool', async () => {
    llm.server.on(
      { userMessage: 'save', hasToolResult: false },
      { toolCalls: [{ id: 'call_save', name: 'AGUISendStateSnapshot', arguments: { snapshot: { todos: [] } } }] },
    );
    llm.server.on({ userMessage: 'save', hasToolResult: true }, { content: 'Saved.' });
    const client = new HttpAgent({ url: `${shadowed.url}/agent/default/run`, initialState: { todos: [milk] } });
    client.addMessage({ id: randomUUID(), role: 'user', content: 'save' });
    const types: string[] = [];
    await client.runAgent({}, { onEvent: ({ event }) => void types.push(event.type) });

    expect(ShadowingService.calls).toBe(1);
    expect(types.filter((type) => type.startsWith('STATE_'))).toEqual([]);
    expect(client.state).toEqual({ todos: [milk] });
    expect(toolNames(llm.requests()[0].body).sort()).toEqual([...STATE_TOOLS].sort());
    expect(llm.requests()[0].body.tools!.filter((tool) => (tool.function?.name ?? tool.name) === 'AGUISendStateSnapshot')).toHaveLength(1);
  });

  it('leaves a name to a frontend tool that has it: the browser gets the call', async () => {
    llm.server.on(
      { userMessage: 'tidy up', hasToolResult: false },
      { toolCalls: [{ id: 'call_page', name: 'AGUISendStateDelta', arguments: { delta: [{ op: 'remove', path: '/todos/0' }] } }] },
    );
    const client = new HttpAgent({ url: `${server.url}/agent/default/run`, initialState: { todos: [milk] } });
    client.addMessage({ id: randomUUID(), role: 'user', content: 'tidy up' });
    const types: string[] = [];
    const pageTool = { name: 'AGUISendStateDelta', description: 'The page applies it', parameters: { type: 'object', properties: {} } };
    await client.runAgent({ tools: [pageTool] }, { onEvent: ({ event }) => void types.push(event.type) });

    expect(types.filter((type) => type.startsWith('STATE_') || type === 'TOOL_CALL_RESULT')).toEqual([]);
    expect(client.state).toEqual({ todos: [milk] });
    expect(llm.requests()).toHaveLength(1);
    const offered = llm.requests()[0].body.tools!.filter((tool) => (tool.function?.name ?? tool.name) === 'AGUISendStateDelta');
    expect(offered).toEqual([expect.objectContaining({ function: expect.objectContaining({ description: 'The page applies it' }) })]);
  });
});

/**
 * What `useAgent` / `useCoAgent` drive in the browser: @copilotkit/core, unmodified, over the REST
 * routes. The state it holds follows the model's patch, and a page load on the thread gets it back.
 */
describe('@copilotkit/core and the state tools', () => {
  const llm = new LlmMock();
  let server: TestApp;

  beforeAll(async () => {
    await llm.start();
    server = await startApp([CopilotKitModule.forRoot({ agents: { default: new BuiltInAgent({ model: llm.adapter('openai') }) } })]);
  });
  afterAll(async () => {
    await server.close();
    await llm.stop();
  });

  it('updates the agent state the app renders, and restores it on connect', async () => {
    const patch = [
      { op: 'add', path: '/todos/-', value: milk },
      { op: 'replace', path: '/filter', value: 'open' },
    ];
    llm.server.on(
      { userMessage: 'add milk', hasToolResult: false },
      { toolCalls: [{ id: 'call_add', name: 'AGUISendStateDelta', arguments: { delta: patch } }] },
    );
    llm.server.on({ userMessage: 'add milk', hasToolResult: true }, { content: 'Added.' });
    const core = await connectedCore(server.url);
    const agent = core.getAgent('default')!;
    agent.threadId = randomUUID();
    agent.setState({ todos: [], filter: 'all' });
    const seen: unknown[] = [];
    agent.subscribe({ onStateChanged: ({ state }) => void seen.push(state) });
    agent.addMessage({ id: randomUUID(), role: 'user', content: 'add milk' });

    await core.runAgent({ agent });

    expect(agent.state).toEqual({ todos: [milk], filter: 'open' });
    expect(seen.at(-1)).toEqual({ todos: [milk], filter: 'open' });
    expect(agent.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);

    const reloaded = await connectedCore(server.url);
    const again = reloaded.getAgent('default')!;
    again.threadId = agent.threadId;
    await reloaded.connectAgent({ agent: again });
    expect(again.state).toEqual({ todos: [milk], filter: 'open' });
  });
});

async function connectedCore(runtimeUrl: string) {
  const core = new CopilotKitCore({ runtimeUrl, runtimeTransport: 'rest' });
  const deadline = Date.now() + 5000;
  while (core.runtimeConnectionStatus !== CopilotKitCoreRuntimeConnectionStatus.Connected) {
    if (core.runtimeConnectionStatus === CopilotKitCoreRuntimeConnectionStatus.Error || Date.now() > deadline) {
      throw new Error(`runtime connection status: ${core.runtimeConnectionStatus}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return core;
}
