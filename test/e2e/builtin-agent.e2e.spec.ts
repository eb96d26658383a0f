import { randomUUID } from 'node:crypto';
import { HttpAgent } from '@ag-ui/client';
import { HttpAgent as HttpAgent0059 } from 'ag-ui-client-0059';
import { jest } from '@jest/globals';
import { BuiltInAgent, CopilotKitModule, type UsageReport } from '../../lib/index.js';
import { LlmMock, type Provider } from '../fixtures/llm-mock.js';
import { startApp, type TestApp } from '../fixtures/test-app.js';
import { openSse, postJson, postSse, runInput } from '../fixtures/sse-client.js';

import { highlightTool, WeatherModule, WeatherService } from '../fixtures/weather.fixture.js';

describe.each<Provider>(['openai', 'anthropic'])('BuiltInAgent with %s', (provider) => {
  const llm = new LlmMock();
  let server: TestApp;
  const usage: UsageReport[] = [];

  beforeAll(async () => {
    await llm.start();
    const agent = (extra = {}) =>
      new BuiltInAgent({
        model: llm.adapter(provider),
        instructions: 'You are a test agent.',
        onUsage: (report) => usage.push(report),
        ...extra,
      });
    server = await startApp([
      WeatherModule,
      CopilotKitModule.forRoot({
        agents: {
          default: agent(),
          oneStep: agent({ maxSteps: 1 }),
          patient: agent({ retry: { retries: 2, initialDelayMs: 10 } }),
          thinker: agent({ reasoning: { budgetTokens: 1024, effort: 'low' } }),
        },
      }),
    ]);
  });
  afterAll(async () => {
    await server.close();
    await llm.stop();
  });
  beforeEach(() => {
    llm.reset();
    WeatherService.calls = [];
    usage.length = 0;
  });

  async function run(text: string, { agent = 'default', tools = [] as (typeof highlightTool)[], messages = undefined as never } = {}) {
    const input = runInput({ text, tools });
    if (messages) input.messages = messages;
    const { events } = await postSse(`${server.url}/agent/${agent}/run`, input);
    return { input, events, types: events.map((e) => e.type) };
  }
  const textOf = (events: Array<Record<string, any>>) =>
    events
      .filter((e) => e.type === 'TEXT_MESSAGE_CONTENT')
      .map((e) => e.delta)
      .join('');

  it('streams the answer as it arrives, in several content events', async () => {
    llm.server.onMessage('hello', { content: 'Hello there! How can I help you today?' });
    const { events, types } = await run('hello');
    expect(types[0]).toBe('RUN_STARTED');
    expect(types.filter((t) => t === 'TEXT_MESSAGE_CONTENT').length).toBeGreaterThan(3);
    expect(textOf(events)).toBe('Hello there! How can I help you today?');
    expect(types.at(-1)).toBe('RUN_FINISHED');
    const request = llm.requests()[0].body;
    expect(request.messages[0]).toMatchObject({ role: 'system', content: expect.stringContaining('You are a test agent.') });
  });

  it('runs a backend action on the server and calls the model again with its result', async () => {
    llm.server.on(
      { userMessage: 'weather', hasToolResult: false },
      { toolCalls: [{ id: 'call_w', name: 'getWeather', arguments: { city: 'Paris' } }] },
    );
    llm.server.on({ userMessage: 'weather', hasToolResult: true }, { content: 'It is sunny in Paris.' });

    const { events, types } = await run('weather in Paris?');

    expect(WeatherService.calls).toEqual(['Paris']);
    expect(types).toEqual([
      'RUN_STARTED',
      'TOOL_CALL_START',
      ...types.filter((t) => t === 'TOOL_CALL_ARGS'),
      'TOOL_CALL_END',
      'TOOL_CALL_RESULT',
      'TEXT_MESSAGE_START',
      ...types.filter((t) => t === 'TEXT_MESSAGE_CONTENT'),
      'TEXT_MESSAGE_END',
      'RUN_FINISHED',
    ]);
    const start = events.find((e) => e.type === 'TOOL_CALL_START')!;
    expect(start).toMatchObject({ toolCallId: 'call_w', toolCallName: 'getWeather', parentMessageId: expect.any(String) });
    expect(JSON.parse(events.find((e) => e.type === 'TOOL_CALL_RESULT')!.content)).toEqual({ city: 'Paris', sky: 'sunny', celsius: 21 });
    expect(textOf(events)).toBe('It is sunny in Paris.');
    const second = llm.requests()[1].body.messages;
    expect(second.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_w', content: '{"city":"Paris","sky":"sunny","celsius":21}' });
    expect(
      llm
        .requests()[0]
        .body.tools?.map((t) => t.function?.name ?? t.name)
        .sort(),
    ).toEqual(['getTime', 'getWeather']);
  });

  it('runs parallel backend calls of one step', async () => {
    llm.server.on(
      { userMessage: 'both', hasToolResult: false },
      {
        toolCalls: [
          { id: 'c1', name: 'getWeather', arguments: { city: 'Rome' } },
          { id: 'c2', name: 'getTime', arguments: {} },
        ],
      },
    );
    llm.server.on({ userMessage: 'both', hasToolResult: true }, { content: 'Sunny, and noon.' });

    const { events } = await run('both please');

    const results = events.filter((e) => e.type === 'TOOL_CALL_RESULT').map((e) => [e.toolCallId, e.content]);
    expect(results).toEqual([
      ['c1', '{"city":"Rome","sky":"sunny","celsius":21}'],
      ['c2', '12:00'],
    ]);
    const starts = events.filter((e) => e.type === 'TOOL_CALL_START');
    expect(new Set(starts.map((e) => e.parentMessageId)).size).toBe(1);
    expect(textOf(events)).toBe('Sunny, and noon.');
  });

  it('stops at maxSteps', async () => {
    llm.server.on({ userMessage: 'weather', hasToolResult: false }, { toolCalls: [{ name: 'getWeather', arguments: { city: 'Oslo' } }] });
    const { types } = await run('weather in Oslo', { agent: 'oneStep' });
    expect(types.slice(-2)).toEqual(['TOOL_CALL_RESULT', 'RUN_FINISHED']);
    expect(llm.requests()).toHaveLength(1);
  });

  it('hands a frontend tool to the client, then continues when the next run brings its result', async () => {
    llm.server.on(
      { userMessage: 'highlight', hasToolResult: false },
      { toolCalls: [{ id: 'call_h', name: 'highlight', arguments: { id: 'task-7' } }] },
    );
    llm.server.on({ userMessage: 'highlight', hasToolResult: true }, { content: 'Done, it is highlighted.' });

    const first = await run('highlight task 7', { tools: [highlightTool] });
    expect(first.types).not.toContain('TOOL_CALL_RESULT');
    expect(first.types.slice(-2)).toEqual(['TOOL_CALL_END', 'RUN_FINISHED']);
    expect(llm.requests()).toHaveLength(1);

    const assistantId = first.events.find((e) => e.type === 'TOOL_CALL_START')!.parentMessageId;
    const followUp = await run('', {
      tools: [highlightTool],
      messages: [
        ...first.input.messages,
        {
          id: assistantId,
          role: 'assistant',
          toolCalls: [{ id: 'call_h', type: 'function', function: { name: 'highlight', arguments: '{"id":"task-7"}' } }],
        },
        { id: randomUUID(), role: 'tool', toolCallId: 'call_h', content: '{"highlighted":true}' },
      ] as never,
    });
    expect(textOf(followUp.events)).toBe('Done, it is highlighted.');
  });

  it('continues a thread whose tool call Gemini made, its signed id sent as one the provider takes', async () => {
    llm.server.on({ userMessage: 'Oslo', hasToolResult: true }, { content: 'Cold in Oslo.' });
    const geminiId = `gemini-call-${randomUUID()}~ts~${'c2lnbmF0dXJlLW9mLWdlbWluaS8rPQ=='.repeat(6)}`;
    const messages = [
      { id: 'u1', role: 'user', content: 'weather in Oslo?' },
      {
        id: 'a1',
        role: 'assistant',
        toolCalls: [{ id: geminiId, type: 'function', function: { name: 'getWeather', arguments: '{"city":"Oslo"}' } }],
      },
      { id: 't1', role: 'tool', toolCallId: geminiId, content: '{"sky":"cloudy"}' },
    ];
    const { events } = await run('', { messages: messages as never });

    expect(textOf(events)).toBe('Cold in Oslo.');
    const sent = llm.requests()[0].body.messages;
    const callId = sent.find((m) => m.role === 'assistant')!.tool_calls[0].id as string;
    expect(callId).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
    expect(sent.find((m) => m.role === 'tool')).toMatchObject({ tool_call_id: callId });
  });

  it('runs the backend calls of a mixed step and hands the rest to the client', async () => {
    llm.server.on(
      { userMessage: 'mixed', hasToolResult: false },
      {
        toolCalls: [
          { id: 'b1', name: 'getWeather', arguments: { city: 'Lima' } },
          { id: 'f1', name: 'highlight', arguments: { id: 'x' } },
        ],
      },
    );
    const { events, types } = await run('mixed step', { tools: [highlightTool] });
    expect(events.filter((e) => e.type === 'TOOL_CALL_RESULT').map((e) => e.toolCallId)).toEqual(['b1']);
    expect(WeatherService.calls).toEqual(['Lima']);
    expect(types.at(-1)).toBe('RUN_FINISHED');
    expect(llm.requests()).toHaveLength(1);
  });

  it('repairs a history the provider would reject instead of failing', async () => {
    llm.server.on({ userMessage: 'again' }, { content: 'Repaired.' });
    const messages = [
      { id: 'o', role: 'tool', toolCallId: 'ghost', content: 'orphan' },
      { id: 'u1', role: 'user', content: 'first' },
      { id: 'a1', role: 'assistant', toolCalls: [{ id: 'lost', type: 'function', function: { name: 'getTime', arguments: '{}' } }] },
      { id: 'u2', role: 'user', content: 'again' },
    ];
    const { events } = await run('', { messages: messages as never });
    expect(textOf(events)).toBe('Repaired.');
    const sent = llm.requests()[0].body.messages.filter((m) => m.role !== 'system');
    // The orphan is gone and the unanswered call has a result. (aimock lists an Anthropic user turn's
    // text before its tool_result blocks, so only OpenAI's order is checked.)
    expect(sent.filter((m) => m.role === 'tool')).toEqual([expect.objectContaining({ tool_call_id: 'lost' })]);
    if (provider === 'openai') expect(sent.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'user']);
  });

  it('puts the instructions, the context entries and the shared state in the system prompt', async () => {
    llm.server.onMessage('context', { content: 'Noted.' });
    const input = runInput({ text: 'context please', state: { cart: ['apple'] } });
    input.context = [{ description: 'The page the user is on', value: 'Checkout' }];
    await postSse(`${server.url}/agent/default/run`, input);
    const system = llm.requests()[0].body.messages[0];
    expect(system.role).toBe('system');
    expect(system.content).toContain('You are a test agent.');
    expect(system.content).toContain('The page the user is on:\nCheckout');
    expect(system.content).toContain('"cart"');
  });

  it('answers a call to a tool that does not exist, so the conversation stays valid', async () => {
    llm.server.on({ userMessage: 'invent', hasToolResult: false }, { toolCalls: [{ id: 'x1', name: 'launchRockets', arguments: {} }] });
    llm.server.on({ userMessage: 'invent', hasToolResult: true }, { content: 'I cannot do that.' });
    const { events } = await run('invent a tool');
    expect(JSON.parse(events.find((e) => e.type === 'TOOL_CALL_RESULT')!.content)).toMatchObject({ error: 'unknown_tool' });
    expect(textOf(events)).toBe('I cannot do that.');
  });

  it('reports token usage on RUN_FINISHED and to onUsage', async () => {
    llm.server.onMessage('count', { content: 'Counting tokens.', usage: { prompt_tokens: 11, completion_tokens: 7 } });
    const { events, input } = await run('count me');
    const expected = { provider, model: expect.any(String), inputTokens: 11, outputTokens: 7, totalTokens: 18 };
    expect(events.at(-1)?.usage).toEqual([expect.objectContaining(expected)]);
    expect(usage).toEqual([expect.objectContaining({ agentId: 'default', threadId: input.threadId, runId: input.runId })]);
    expect(usage[0].usage).toEqual([expect.objectContaining(expected)]);
  });

  it.each([
    ['1.0.0', (url: string) => new HttpAgent({ url })],
    ['0.0.59', (url: string) => new HttpAgent0059({ url })],
  ])('streams reasoning as REASONING events the official %s client accepts', async (_version, createClient) => {
    llm.server.onMessage('think', { reasoning: 'Let me think step by step.', content: 'The answer is 42.' });
    const agent = createClient(`${server.url}/agent/thinker/run`);
    agent.addMessage({ id: randomUUID(), role: 'user', content: 'think hard' });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const { newMessages } = await agent.runAgent();
      expect(newMessages.map((m) => [m.role, m.content])).toEqual([
        ['reasoning', 'Let me think step by step.'],
        ['assistant', 'The answer is 42.'],
      ]);
      expect(warn.mock.calls.filter((call) => String(call[0]).includes('[ag-ui]'))).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });

  describe('upstream failures', () => {
    it('ends the run with a RUN_ERROR that names the cause and leaks no key', async () => {
      llm.server.nextRequestError(401, { message: 'Incorrect API key provided: sk-test-secret', type: 'authentication_error' });
      const { events } = await run('hello');
      expect(events.at(-1)).toEqual({
        type: 'RUN_ERROR',
        code: 'UPSTREAM_AUTH',
        message: `The ${provider} API rejected the credentials (HTTP 401).`,
      });
      expect(JSON.stringify(events)).not.toContain('secret');
    });

    it('retries a 429 and a 500 before the first token, then succeeds', async () => {
      llm.server.on(
        { userMessage: 'flaky', sequenceIndex: 0 },
        { error: { message: 'slow down', type: 'rate_limit_error' }, status: 429, retryAfter: 0 },
      );
      llm.server.on({ userMessage: 'flaky', sequenceIndex: 1 }, { error: { message: 'boom', type: 'server_error' }, status: 500 });
      llm.server.on({ userMessage: 'flaky', sequenceIndex: 2 }, { content: 'Third time lucky.' });
      const { events } = await run('flaky', { agent: 'patient' });
      expect(llm.requests().map((r) => r.status)).toEqual([429, 500, 200]);
      expect(textOf(events)).toBe('Third time lucky.');
    });

    it('gives up after the configured retries', async () => {
      llm.server.on({ userMessage: 'down' }, { error: { message: 'overloaded', type: 'server_error' }, status: 503 });
      const { events } = await run('down', { agent: 'patient' });
      expect(llm.requests()).toHaveLength(3);
      expect(events.at(-1)).toMatchObject({ type: 'RUN_ERROR', code: 'UPSTREAM_ERROR' });
    });

    it('reports a stream that breaks mid-answer, with the partial answer closed', async () => {
      llm.server.onMessage(
        'cut',
        { content: 'This answer will be cut off somewhere in the middle.' },
        { latency: 5, truncateAfterChunks: 5 },
      );
      const agent = new HttpAgent({ url: `${server.url}/agent/default/run` });
      agent.addMessage({ id: randomUUID(), role: 'user', content: 'cut' });
      const errors: string[] = [];
      await agent.runAgent({}, { onRunErrorEvent: ({ event }) => void errors.push(event.code ?? '') });
      expect(errors).toEqual(['STREAM_INTERRUPTED']);
      expect(agent.messages.at(-1)).toMatchObject({ role: 'assistant', content: expect.stringMatching(/^This a/) });
      expect(llm.requests()).toHaveLength(1);
    });

    it('treats a body that is not a stream as a failure, not an empty answer', async () => {
      llm.server.on({ userMessage: 'garbled' }, { content: 'x' }, { chaos: { malformedRate: 1 } });
      const { events } = await run('garbled', { agent: 'patient' });
      expect(llm.requests()).toHaveLength(3);
      expect(events.at(-1)).toMatchObject({ type: 'RUN_ERROR', code: 'STREAM_INTERRUPTED' });
    });
  });

  it('cancels the upstream request at once when the run is stopped', async () => {
    llm.server.onMessage('long', { content: 'word '.repeat(60) }, { latency: 15 });
    const input = runInput({ text: 'long story' });
    const stream = await openSse(`${server.url}/agent/default/run`, input);
    await stream.waitFor((e) => e.type === 'TEXT_MESSAGE_CONTENT');
    const abortedBefore = llm.connections.aborted;

    await postJson(`${server.url}/agent/default/stop/${input.threadId}`);
    await stream.done;

    await waitUntil(() => llm.connections.aborted === abortedBefore + 1, 1000);
    expect(llm.connections.open).toBe(0);
    expect(stream.events.at(-1)).toMatchObject({ type: 'RUN_FINISHED' });
  });
});

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
