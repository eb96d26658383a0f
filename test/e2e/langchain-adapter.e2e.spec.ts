import { randomUUID } from 'node:crypto';
import { HttpAgent } from '@ag-ui/client';
import type { BaseEvent, Message } from '@ag-ui/core';
import { AIMessageChunk, ToolMessage } from '@langchain/core/messages';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatOpenAI } from '@langchain/openai';
import { Injectable, Module } from '@nestjs/common';
import { jest } from '@jest/globals';
import { BuiltInAgent, CopilotAction, CopilotKitConfigurationError, CopilotKitModule, type UsageReport } from '../../lib/index.js';
import { LangChainAdapter, type LangChainAdapterOptions, type LangChainChainFnParameters } from '../../lib/langchain.js';
import { LlmMock } from '../fixtures/llm-mock.js';
import { startApp, type TestApp } from '../fixtures/test-app.js';
import { openSse, postJson, postSse, runInput } from '../fixtures/sse-client.js';
import { langChainAgent } from '../readme/langchain.agent.js';

@Injectable()
class WeatherService {
  static calls: string[] = [];

  @CopilotAction({
    description: 'Current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  })
  getWeather({ city }: { city: string }) {
    WeatherService.calls.push(city);
    return { city, sky: 'sunny' };
  }

  @CopilotAction({ description: 'Current time' })
  getTime() {
    return '12:00';
  }
}

@Module({ providers: [WeatherService] })
class WeatherModule {}

const highlightTool = {
  name: 'highlight',
  description: 'Highlight an item on the page',
  parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
};

describe('LangChainAdapter with a real ChatOpenAI', () => {
  const llm = new LlmMock();
  let server: TestApp;
  const usage: UsageReport[] = [];
  const seen: LangChainChainFnParameters[] = [];

  beforeAll(async () => {
    await llm.start();
    const chatModel = () =>
      new ChatOpenAI({
        model: 'gpt-test',
        apiKey: 'sk-test-secret',
        maxRetries: 0,
        streamUsage: true,
        configuration: { baseURL: `${llm.server.url}/v1` },
      });
    const model = chatModel();
    const agent = (chainFn: LangChainAdapterOptions['chainFn']) =>
      new BuiltInAgent({ model: new LangChainAdapter({ chainFn }), onUsage: (report) => usage.push(report) });
    server = await startApp([
      WeatherModule,
      CopilotKitModule.forRoot({
        agents: {
          default: langChainAgent(model),
          strings: agent(({ messages, signal }) => model.pipe(new StringOutputParser()).stream(messages, { signal })),
          literal: agent(async () => 'Hello from a chain.'),
          invoke: agent(({ messages, tools, signal }) => model.bindTools(tools).invoke(messages, { signal })),
          unsignalled: agent(({ messages }) => model.stream(messages)),
          failing: agent(async () => {
            throw new Error('the chain exploded');
          }),
          bad: agent(async () => 42 as never),
          blocks: agent(({ messages }) => (messages.at(-1) instanceof ToolMessage ? 'Sunny at noon.' : streamedAsOtherIntegrationsDo())),
          echo: agent(async (parameters) => {
            seen.push(parameters);
            return 'Seen.';
          }),
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
    seen.length = 0;
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

  it('streams the answer through the official client, in several content events', async () => {
    llm.server.onMessage('hello', { content: 'Hello there! How can I help you today?' });
    const client = new HttpAgent({ url: `${server.url}/agent/default/run` });
    client.addMessage({ id: randomUUID(), role: 'user', content: 'hello' });
    const events: BaseEvent[] = [];
    const { newMessages } = await client.runAgent({}, { onEvent: ({ event }) => void events.push(event) });
    expect(newMessages.map((m) => [m.role, m.content])).toEqual([['assistant', 'Hello there! How can I help you today?']]);
    expect(events.filter((e) => e.type === 'TEXT_MESSAGE_CONTENT').length).toBeGreaterThan(3);
    expect(events.at(-1)?.type).toBe('RUN_FINISHED');
  });

  it('runs a backend action between two model calls, with matching call ids', async () => {
    llm.server.on(
      { userMessage: 'weather', hasToolResult: false },
      { toolCalls: [{ id: 'call_w', name: 'getWeather', arguments: { city: 'Paris' } }] },
    );
    llm.server.on({ userMessage: 'weather', hasToolResult: true }, { content: 'It is sunny in Paris.' });

    const { events, types } = await run('weather in Paris?');

    expect(WeatherService.calls).toEqual(['Paris']);
    expect(types.filter((t) => t.startsWith('TOOL_CALL') && t !== 'TOOL_CALL_ARGS')).toEqual([
      'TOOL_CALL_START',
      'TOOL_CALL_END',
      'TOOL_CALL_RESULT',
    ]);
    expect(events.find((e) => e.type === 'TOOL_CALL_START')).toMatchObject({ toolCallId: 'call_w', toolCallName: 'getWeather' });
    expect(textOf(events)).toBe('It is sunny in Paris.');
    expect(types.at(-1)).toBe('RUN_FINISHED');
    const [first, second] = llm.requests().map((r) => r.body);
    expect(first.tools?.map((t) => t.function.name).sort()).toEqual(['getTime', 'getWeather']);
    expect(second.messages.slice(-2)).toEqual([
      expect.objectContaining({
        role: 'assistant',
        tool_calls: [{ id: 'call_w', type: 'function', function: { name: 'getWeather', arguments: '{"city":"Paris"}' } }],
      }),
      expect.objectContaining({ role: 'tool', tool_call_id: 'call_w', content: '{"city":"Paris","sky":"sunny"}' }),
    ]);
  });

  it('runs parallel calls of one step', async () => {
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

    expect(events.filter((e) => e.type === 'TOOL_CALL_RESULT').map((e) => [e.toolCallId, e.content])).toEqual([
      ['c1', '{"city":"Rome","sky":"sunny"}'],
      ['c2', '12:00'],
    ]);
    expect(new Set(events.filter((e) => e.type === 'TOOL_CALL_START').map((e) => e.parentMessageId)).size).toBe(1);
    expect(textOf(events)).toBe('Sunny, and noon.');
    const second = llm.requests()[1].body.messages;
    expect(second.filter((m) => m.role === 'tool').map((m) => m.tool_call_id)).toEqual(['c1', 'c2']);
  });

  it('hands a frontend tool to the official client, and goes on when its result comes back', async () => {
    llm.server.on(
      { userMessage: 'highlight', hasToolResult: false },
      { toolCalls: [{ id: 'call_h', name: 'highlight', arguments: { id: 'task-7' } }] },
    );
    llm.server.on({ userMessage: 'highlight', hasToolResult: true }, { content: 'Done, it is highlighted.' });
    const client = new HttpAgent({ url: `${server.url}/agent/default/run` });
    client.addMessage({ id: randomUUID(), role: 'user', content: 'highlight task 7' });

    const first = await client.runAgent({ tools: [highlightTool] });
    expect(first.newMessages).toEqual([
      expect.objectContaining({
        role: 'assistant',
        toolCalls: [{ id: 'call_h', type: 'function', function: { name: 'highlight', arguments: '{"id":"task-7"}' } }],
      }),
    ]);
    expect(llm.requests()).toHaveLength(1);

    client.addMessage({ id: randomUUID(), role: 'tool', toolCallId: 'call_h', content: '{"highlighted":true}' });
    const second = await client.runAgent({ tools: [highlightTool] });
    expect(second.newMessages.map((m) => m.content)).toEqual(['Done, it is highlighted.']);
    expect(llm.requests()[1].body.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_h', content: '{"highlighted":true}' });
  });

  it('gives the model the system prompt, the context entries and images', async () => {
    llm.server.onMessage('context', { content: 'Noted.' });
    const input = runInput({ text: 'context please' });
    input.context = [{ description: 'The page the user is on', value: 'Checkout' }];
    input.messages.push({
      id: randomUUID(),
      role: 'user',
      content: [
        { type: 'text', text: 'context: this picture' },
        { type: 'image', source: { type: 'data', value: 'iVBORw0KGgo=', mimeType: 'image/png' } },
      ],
    } as Message);
    await postSse(`${server.url}/agent/default/run`, input);
    const [system, , picture] = llm.requests()[0].body.messages;
    expect(system.role).toBe('system');
    expect(system.content).toContain('You are a helpful assistant.');
    expect(system.content).toContain('The page the user is on:\nCheckout');
    expect(picture.content).toEqual([
      { type: 'text', text: 'context: this picture' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
    ]);
  });

  it('gives chainFn LangChain messages, the tools, the tool choice and the signal', async () => {
    const messages = [
      { id: 'u', role: 'user', content: 'weather?' },
      {
        id: 'a',
        role: 'assistant',
        content: 'Checking.',
        toolCalls: [{ id: 't1', type: 'function', function: { name: 'getWeather', arguments: '{"city":"Bern"}' } }],
      },
      { id: 't', role: 'tool', toolCallId: 't1', content: 'no data', error: 'station offline' },
    ];
    const input = { ...runInput({ tools: [highlightTool] }), messages, forwardedProps: { toolChoice: 'required' } };
    input.context = [{ description: 'The page the user is on', value: 'Checkout' }];
    await postSse(`${server.url}/agent/echo/run`, input);
    const [{ messages: sent, tools, toolChoice, model, signal, settings }] = seen;
    expect(sent.map((m) => [m.constructor.name, m.content])).toEqual([
      ['SystemMessage', expect.stringContaining('The page the user is on:\nCheckout')],
      ['HumanMessage', 'weather?'],
      ['AIMessage', 'Checking.'],
      ['ToolMessage', 'Error: station offline\nno data'],
    ]);
    expect(sent[2]).toMatchObject({ tool_calls: [{ id: 't1', name: 'getWeather', args: { city: 'Bern' } }] });
    expect(sent[3]).toMatchObject({ tool_call_id: 't1', status: 'error' });
    expect(tools.map((t) => t.function.name).sort()).toEqual(['getTime', 'getWeather', 'highlight']);
    expect(tools.find((t) => t.function.name === 'highlight')).toEqual({ type: 'function', function: highlightTool });
    // 'any' is "some tool" in every LangChain integration ('required' is not, e.g. for Anthropic).
    expect({ toolChoice, model, signal, settings }).toEqual({
      toolChoice: 'any',
      model: 'langchain',
      signal: expect.any(AbortSignal),
      settings: expect.any(Object),
    });
  });

  it('passes a forced tool choice on in LangChain spelling', async () => {
    llm.server.on({ userMessage: 'force', hasToolResult: false }, { toolCalls: [{ id: 'f1', name: 'getTime', arguments: {} }] });
    llm.server.on({ userMessage: 'force', hasToolResult: true }, { content: 'Noon.' });
    const input = runInput({ text: 'force it', forwardedProps: { toolChoice: { type: 'function', function: { name: 'getTime' } } } });
    await postSse(`${server.url}/agent/default/run`, input);
    await postSse(`${server.url}/agent/default/run`, { ...runInput({ text: 'force again' }), forwardedProps: { toolChoice: 'required' } });
    const choices = llm.requests().map((r) => (r.body as Record<string, unknown>).tool_choice);
    // The forced choice holds for the first call of a run only.
    expect(choices).toEqual([{ type: 'function', function: { name: 'getTime' } }, undefined, 'required', undefined]);
  });

  it('reports token usage on RUN_FINISHED and to onUsage', async () => {
    llm.server.onMessage('count', { content: 'Counting tokens.', usage: { prompt_tokens: 11, completion_tokens: 7 } });
    const expected = { inputTokens: 11, outputTokens: 7, totalTokens: 18 };
    const { events } = await run('count me');
    expect(events.at(-1)).toMatchObject({ type: 'RUN_FINISHED', usage: [{ provider: 'langchain', model: 'gpt-4o-mini', ...expected }] });

    // Not streamed (model.invoke): the usage is on the whole message.
    const whole = await run('count me', { agent: 'invoke' });
    const labelled = { provider: 'langchain', model: 'langchain', ...expected };
    expect(whole.events.at(-1)).toMatchObject({ type: 'RUN_FINISHED', usage: [labelled] });
    expect(usage).toEqual([expect.objectContaining({ agentId: 'invoke', threadId: whole.input.threadId, usage: [labelled] })]);
  });

  it.each(['default', 'unsignalled'])('cancels the upstream request at once when the run is stopped (%s)', async (agent) => {
    llm.server.onMessage('long', { content: 'word '.repeat(60) }, { latency: 15 });
    const input = runInput({ text: 'long story' });
    const stream = await openSse(`${server.url}/agent/${agent}/run`, input);
    await stream.waitFor((e) => e.type === 'TEXT_MESSAGE_CONTENT');
    const abortedBefore = llm.connections.aborted;

    await postJson(`${server.url}/agent/${agent}/stop/${input.threadId}`);
    await stream.done;

    await waitUntil(() => llm.connections.aborted === abortedBefore + 1, 1000);
    expect(llm.connections.open).toBe(0);
    expect(stream.events.at(-1)).toMatchObject({ type: 'RUN_FINISHED' });
    expect(textOf(stream.events).length).toBeLessThan('word '.repeat(60).length);
  });

  it('ends a stopped run at once even when the chain was not given the signal and the model is slow', async () => {
    llm.server.onMessage('slow', { content: 'slow words '.repeat(5) }, { latency: 800 });
    const input = runInput({ text: 'slow story' });
    const stream = await openSse(`${server.url}/agent/unsignalled/run`, input);
    await stream.waitFor((e) => e.type === 'TEXT_MESSAGE_CONTENT');
    const abortedBefore = llm.connections.aborted;

    const stoppedAt = Date.now();
    await postJson(`${server.url}/agent/unsignalled/stop/${input.threadId}`);
    await stream.done;

    // Not waiting for the next chunk, 0.8 s away; the stream is cancelled behind it.
    expect(Date.now() - stoppedAt).toBeLessThan(400);
    expect(stream.events.at(-1)).toMatchObject({ type: 'RUN_FINISHED' });
    await waitUntil(() => llm.connections.aborted === abortedBefore + 1, 3000);
  });

  it('streams a chain that ends in a string parser', async () => {
    llm.server.onMessage('parse', { content: 'Parsed into plain strings.' });
    const { events, types } = await run('parse me', { agent: 'strings' });
    expect(types.filter((t) => t === 'TEXT_MESSAGE_CONTENT').length).toBeGreaterThan(1);
    expect(textOf(events)).toBe('Parsed into plain strings.');
    expect(types.at(-1)).toBe('RUN_FINISHED');
  });

  it('answers with the string a chain returns', async () => {
    const { events, types } = await run('anything', { agent: 'literal' });
    expect(textOf(events)).toBe('Hello from a chain.');
    expect(types).toEqual(['RUN_STARTED', 'TEXT_MESSAGE_START', 'TEXT_MESSAGE_CONTENT', 'TEXT_MESSAGE_END', 'RUN_FINISHED']);
  });

  it('takes a whole AIMessage (model.invoke), tool calls and usage included', async () => {
    llm.server.on(
      { userMessage: 'weather', hasToolResult: false },
      { toolCalls: [{ id: 'call_i', name: 'getWeather', arguments: { city: 'Oslo' } }] },
    );
    llm.server.on({ userMessage: 'weather', hasToolResult: true }, { content: 'Sunny in Oslo.' });
    const { events } = await run('weather in Oslo', { agent: 'invoke' });
    expect(WeatherService.calls).toEqual(['Oslo']);
    expect(events.find((e) => e.type === 'TOOL_CALL_ARGS')).toMatchObject({ toolCallId: 'call_i', delta: '{"city":"Oslo"}' });
    expect(textOf(events)).toBe('Sunny in Oslo.');
    expect(events.at(-1)?.usage).toEqual([
      expect.objectContaining({ provider: 'langchain', outputTokens: expect.any(Number) }),
      expect.objectContaining({ provider: 'langchain', outputTokens: expect.any(Number) }),
    ]);
    expect(llm.requests()[1].body.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_i' });
  });

  it('reads content blocks, reasoning, usage split over chunks and calls without index or id', async () => {
    const { events } = await run('blocks', { agent: 'blocks' });
    expect(events.filter((e) => e.type === 'REASONING_MESSAGE_CONTENT').map((e) => e.delta)).toEqual(['Let me see.']);
    const starts = events.filter((e) => e.type === 'TOOL_CALL_START');
    expect(starts.map((e) => [e.toolCallName, e.toolCallId])).toEqual([
      ['getWeather', 'x1'],
      ['getTime', expect.stringMatching(/^[0-9a-f-]{36}$/)],
    ]);
    const args = (id: string) =>
      events
        .filter((e) => e.type === 'TOOL_CALL_ARGS' && e.toolCallId === id)
        .map((e) => e.delta)
        .join('');
    expect([args('x1'), args(starts[1].toolCallId)]).toEqual(['{"city":"Rome"}', '{}']);
    expect(WeatherService.calls).toEqual(['Rome']);
    expect(textOf(events)).toBe('Checking both.Sunny at noon.');
    expect(events.at(-1)).toMatchObject({ type: 'RUN_FINISHED', usage: [{ inputTokens: 20, outputTokens: 9, totalTokens: 29 }] });
  });

  describe('failures', () => {
    it('ends the run with a RUN_ERROR when the chain throws', async () => {
      const { events } = await run('hello', { agent: 'failing' });
      expect(events.at(-1)).toEqual({ type: 'RUN_ERROR', code: 'STREAM_INTERRUPTED', message: expect.any(String) });
      expect(JSON.stringify(events)).not.toContain('exploded');
    });

    it('classifies a provider error that LangChain passes through, and leaks no key', async () => {
      llm.server.nextRequestError(401, { message: 'Incorrect API key provided: sk-test-secret', type: 'authentication_error' });
      const { events } = await run('hello');
      expect(events.at(-1)).toMatchObject({ type: 'RUN_ERROR', code: 'UPSTREAM_AUTH' });
      expect(JSON.stringify(events)).not.toContain('secret');
    });

    it('ends the run with a RUN_ERROR when the chain returns something that is no answer', async () => {
      const { events } = await run('hello', { agent: 'bad' });
      expect(events.at(-1)).toMatchObject({ type: 'RUN_ERROR', code: 'STREAM_INTERRUPTED' });
    });
  });
});

describe('LangChainAdapter configuration', () => {
  it.each([
    [{}, /LangChainAdapter: 'chainFn' must be a function/],
    [{ chainFn: 'chain' }, /'chainFn' must be a function .* got string/],
    [{ chainFn: () => '', model: '' }, /LangChainAdapter: 'model' must be a non-empty string/],
  ])('fails when it is built: %j', (options, message) => {
    expect(() => new LangChainAdapter(options as never)).toThrow(CopilotKitConfigurationError);
    expect(() => new LangChainAdapter(options as never)).toThrow(message);
  });

  it('labels usage and telemetry with the model name given, or langchain', () => {
    expect(new LangChainAdapter({ chainFn: () => '' })).toMatchObject({ provider: 'langchain', model: 'langchain' });
    expect(new LangChainAdapter({ chainFn: () => '', model: 'claude-x' }).model).toBe('claude-x');
  });

  it('says to install @langchain/core when it is missing, at boot', async () => {
    const real = await import('../../lib/platform/package-require.cjs');
    await jest.isolateModulesAsync(async () => {
      jest.unstable_mockModule('../../lib/platform/package-require.cjs', () => ({
        ...real,
        isInstalled: (name: string) => !name.startsWith('@langchain/core'),
      }));
      const { LangChainAdapter: Isolated } = await import('../../lib/agents/adapters/langchain.adapter.js');
      expect(() => new Isolated({ chainFn: () => '' })).toThrow(CopilotKitConfigurationError);
      expect(() => new Isolated({ chainFn: () => '' })).toThrow(
        "LangChainAdapter needs the '@langchain/core' package: npm install @langchain/core",
      );
    });
  });
});

/** Chunks shaped as LangChain integrations other than ChatOpenAI stream them (Anthropic's blocks, ids without index). */
async function* streamedAsOtherIntegrationsDo(): AsyncIterable<AIMessageChunk> {
  yield new AIMessageChunk({
    content: [{ type: 'thinking', thinking: 'Let me see.', index: 0 }],
    usage_metadata: { input_tokens: 20, output_tokens: 0, total_tokens: 20 },
  });
  yield new AIMessageChunk({ content: [{ type: 'text_delta', text: 'Checking ', index: 1 }] });
  yield new AIMessageChunk({ content: [{ type: 'text_delta', text: 'both.', index: 1 }] });
  // The id first, the name later, no index: the later chunks continue the last call.
  yield new AIMessageChunk({ content: '', tool_call_chunks: [{ id: 'x1', args: '{"ci', type: 'tool_call_chunk' }] });
  yield new AIMessageChunk({ content: '', tool_call_chunks: [{ name: 'getWeather', args: 'ty":"Rome"}', type: 'tool_call_chunk' }] });
  // A call that never gets an id.
  yield new AIMessageChunk({ content: '', tool_call_chunks: [{ name: 'getTime', args: '{}', index: 5, type: 'tool_call_chunk' }] });
  yield new AIMessageChunk({
    content: '',
    usage_metadata: { input_tokens: 0, output_tokens: 9, total_tokens: 9 },
    response_metadata: { stop_reason: 'tool_use' },
  });
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
