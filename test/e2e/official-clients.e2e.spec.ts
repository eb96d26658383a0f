import { randomUUID } from 'node:crypto';
import { HttpAgent } from '@ag-ui/client';
import { HttpAgent as HttpAgent0059 } from 'ag-ui-client-0059';
import { jest } from '@jest/globals';
import { AgentProbe, CarelessAgent, ScriptedAgent } from '../fixtures/test-agents.js';
import { startCopilotKit, type TestApp } from '../fixtures/test-app.js';

/**
 * The official AG-UI clients, unmodified, against the module: the 1.0.0 HttpAgent and the 0.0.59
 * one that @copilotkit/core ships with. Both validate every frame; a run that resolves with the
 * expected messages and no client warning or error proves the stream is one they accept.
 */
describe.each([
  ['@ag-ui/client 1.0.0', (url: string, threadId: string) => new HttpAgent({ url, threadId })],
  ['@ag-ui/client 0.0.59', (url: string, threadId: string) => new HttpAgent0059({ url, threadId })],
])('%s HttpAgent', (_name, createAgent) => {
  let server: TestApp;
  const probe = new AgentProbe();
  let consoleSpies: Array<ReturnType<typeof jest.spyOn>>;

  beforeAll(async () => {
    server = await startCopilotKit({
      agents: { echo: new ScriptedAgent(probe), careless: new CarelessAgent() },
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    consoleSpies = [jest.spyOn(console, 'warn'), jest.spyOn(console, 'error')];
  });
  afterEach(() => consoleSpies.forEach((spy) => spy.mockRestore()));

  function clientComplaints(): unknown[][] {
    return consoleSpies.flatMap((spy) => spy.mock.calls);
  }

  it('runs an agent and receives its streamed answer', async () => {
    const agent = createAgent(`${server.url}/agent/echo/run`, randomUUID());
    agent.addMessage({ id: randomUUID(), role: 'user', content: 'hi there' });

    const result = await agent.runAgent();

    expect(result.newMessages).toEqual([expect.objectContaining({ role: 'assistant', content: 'You said: hi there.' })]);
    expect(clientComplaints()).toEqual([]);
  });

  it('continues a thread: the agent receives the whole conversation on the next run', async () => {
    const threadId = randomUUID();
    const agent = createAgent(`${server.url}/agent/echo/run`, threadId);
    agent.addMessage({ id: randomUUID(), role: 'user', content: 'one' });
    await agent.runAgent();
    agent.addMessage({ id: randomUUID(), role: 'user', content: 'two' });

    const result = await agent.runAgent();

    expect(result.newMessages).toEqual([expect.objectContaining({ content: 'You said: two.' })]);
    const lastInput = probe.inputs[probe.inputs.length - 1];
    expect(lastInput.threadId).toBe(threadId);
    expect(lastInput.messages.map((m) => m.content)).toEqual(['one', 'You said: one.', 'two']);
    expect(clientComplaints()).toEqual([]);
  });

  it("accepts the repaired stream of an agent that breaks the protocol's rules", async () => {
    const agent = createAgent(`${server.url}/agent/careless/run`, randomUUID());
    agent.addMessage({ id: randomUUID(), role: 'user', content: 'go' });

    const result = await agent.runAgent();

    // The tool call has no parentMessageId, so the client files it under a message of its own.
    expect(result.newMessages).toEqual([
      expect.objectContaining({ id: 'm1', role: 'assistant', content: 'Hello' }),
      expect.objectContaining({
        role: 'assistant',
        toolCalls: [expect.objectContaining({ id: 't1', function: { name: 'lookup', arguments: '{"q":"x"}' } })],
      }),
      expect.objectContaining({ role: 'tool', toolCallId: 't1', content: '{"found":true}' }),
    ]);
    expect(clientComplaints()).toEqual([]);
  });

  it('replays a finished thread through connect, messages and all', async () => {
    const threadId = randomUUID();
    const runner = createAgent(`${server.url}/agent/echo/run`, threadId);
    runner.addMessage({ id: randomUUID(), role: 'user', content: 'remember me' });
    await runner.runAgent();

    // A fresh client with no local history, posting to /connect, rebuilds the conversation.
    const reader = createAgent(`${server.url}/agent/echo/connect`, threadId);
    const replay = await reader.runAgent();

    expect(replay.newMessages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'remember me'],
      ['assistant', 'You said: remember me.'],
    ]);
    expect(clientComplaints()).toEqual([]);
  });

  it('reports an unknown agent as an HTTP error the client surfaces', async () => {
    const agent = createAgent(`${server.url}/agent/missing/run`, randomUUID());
    consoleSpies.forEach((spy) => spy.mockImplementation(() => undefined));

    await expect(agent.runAgent()).rejects.toThrow(/HTTP 404/);
  });
});
