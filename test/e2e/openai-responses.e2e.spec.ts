import { randomUUID } from 'node:crypto';
import { HttpAgent } from '@ag-ui/client';
import { Logger } from '@nestjs/common';
import { jest } from '@jest/globals';
import OpenAI from 'openai';
import { BuiltInAgent, CopilotKitModule, OpenAIAdapter, type BuiltInAgentOptions } from '../../lib/index.js';
import { LlmMock } from '../fixtures/llm-mock.js';
import { startApp, type TestApp } from '../fixtures/test-app.js';
import { openSse, postJson, postSse, runInput } from '../fixtures/sse-client.js';

import { highlightTool, WeatherModule, WeatherService } from '../fixtures/weather.fixture.js';

type Item = Record<string, any>;

/** What aimock stands in for: the opaque blob OpenAI returns for a reasoning item. */
const encryptedFor = (id: string) => Buffer.from(`aimock-encrypted-reasoning:${id}`).toString('base64');

describe('BuiltInAgent on the OpenAI Responses API', () => {
  const llm = new LlmMock();
  let server: TestApp;
  /** The Responses request bodies, as the real SDK sent them over the wire. */
  const bodies: Item[] = [];

  beforeAll(async () => {
    await llm.start();
    const client = new OpenAI({
      baseURL: `${llm.server.url}/v1`,
      apiKey: 'sk-test-secret',
      maxRetries: 0,
      fetch: async (url, init) => {
        if (String(url).endsWith('/responses') && typeof init?.body === 'string') bodies.push(JSON.parse(init.body));
        return fetch(url, init);
      },
    });
    const agent = (model: string, extra: Partial<BuiltInAgentOptions> = {}) =>
      new BuiltInAgent({ model: new OpenAIAdapter({ client, model, api: 'responses' }), instructions: 'You are a test agent.', ...extra });
    server = await startApp([
      WeatherModule,
      CopilotKitModule.forRoot({
        agents: {
          default: agent('gpt-4.1-test'),
          thinker: agent('o4-mini', { reasoning: { effort: 'low' } }),
          quiet: agent('o4-mini', { reasoning: { effort: 'low' }, exposeReasoning: false }),
          tuned: agent('gpt-4.1-test', {
            temperature: 0.3,
            topP: 0.9,
            maxOutputTokens: 256,
            parallelToolCalls: false,
            stopSequences: ['END'],
            seed: 7,
            providerOptions: { metadata: { tenant: 't1' } },
          }),
          patient: agent('gpt-4.1-test', { retry: { retries: 2, initialDelayMs: 10 } }),
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
    bodies.length = 0;
    WeatherService.calls = [];
  });

  async function run(text: string, { agent = 'default', tools = [] as (typeof highlightTool)[], forwardedProps = {} } = {}) {
    const input = runInput({ text, tools, forwardedProps });
    const { events } = await postSse(`${server.url}/agent/${agent}/run`, input);
    return { input, events, types: events.map((e) => e.type) };
  }
  const textOf = (events: Array<Record<string, any>>) =>
    events
      .filter((e) => e.type === 'TEXT_MESSAGE_CONTENT')
      .map((e) => e.delta)
      .join('');
  const requests = () => llm.server.getRequests().filter((entry) => entry.path.endsWith('/responses'));

  it('streams the answer from /v1/responses, with the system prompt as instructions', async () => {
    llm.server.onMessage('hello', { content: 'Hello there! How can I help you today?' });
    const { events, types } = await run('hello');

    expect(types.filter((t) => t === 'TEXT_MESSAGE_CONTENT').length).toBeGreaterThan(3);
    expect(textOf(events)).toBe('Hello there! How can I help you today?');
    expect(types.at(-1)).toBe('RUN_FINISHED');
    expect(requests()).toHaveLength(1);
    expect(llm.server.getRequests().filter((entry) => entry.path.endsWith('/chat/completions'))).toHaveLength(0);
    const [body] = bodies;
    expect(body).toMatchObject({
      model: 'gpt-4.1-test',
      stream: true,
      store: false,
      instructions: expect.stringContaining('You are a test agent.'),
    });
    expect(body.input).toEqual([{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] }]);
    expect(body.tools).toContainEqual({
      type: 'function',
      name: 'getWeather',
      description: 'Current weather in a city',
      parameters: expect.objectContaining({ required: ['city'] }),
      strict: false,
    });
    // Reasoning is off for this agent: nothing is asked for.
    expect(body).not.toHaveProperty('reasoning');
    expect(body).not.toHaveProperty('include');
  });

  it('streams the reasoning summary as REASONING events, encrypted reasoning included, through the official client', async () => {
    llm.server.onMessage('think', { reasoning: 'Let me think step by step.', content: 'The answer is 42.' });
    const agent = new HttpAgent({ url: `${server.url}/agent/thinker/run` });
    agent.addMessage({ id: randomUUID(), role: 'user', content: 'think hard' });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const { newMessages } = await agent.runAgent();
      expect(newMessages.map((m) => [m.role, m.content])).toEqual([
        ['reasoning', 'Let me think step by step.'],
        ['assistant', 'The answer is 42.'],
      ]);
      expect(newMessages[0]).toMatchObject({ encryptedValue: expect.stringMatching(/^openai-responses:rs[-_][^:]+:/) });
      expect(warn.mock.calls.filter((call) => String(call[0]).includes('[ag-ui]'))).toEqual([]);
    } finally {
      warn.mockRestore();
    }
    expect(bodies[0]).toMatchObject({
      reasoning: { effort: 'low', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
      store: false,
    });
  });

  it('keeps the reasoning server-side with exposeReasoning: false, and still hands it back after a tool call', async () => {
    llm.server.on(
      { userMessage: 'think', hasToolResult: false },
      { reasoning: 'Secret thoughts.', toolCalls: [{ id: 'call_t', name: 'getTime', arguments: {} }] },
    );
    llm.server.on({ userMessage: 'think', hasToolResult: true }, { content: 'Done.' });
    const { events, types } = await run('think quietly', { agent: 'quiet' });
    expect(types.filter((t) => t.startsWith('REASONING'))).toEqual([]);
    expect(JSON.stringify(events)).not.toContain('Secret thoughts');
    expect(textOf(events)).toBe('Done.');
    expect(bodies[1].input[1]).toMatchObject({ type: 'reasoning', encrypted_content: expect.any(String) });
  });

  it('runs a backend action, then sends its function_call, function_call_output and encrypted reasoning back', async () => {
    llm.server.on(
      { userMessage: 'weather', hasToolResult: false },
      { reasoning: 'I need the weather.', toolCalls: [{ id: 'call_w', name: 'getWeather', arguments: { city: 'Paris' } }] },
    );
    llm.server.on({ userMessage: 'weather', hasToolResult: true }, { content: 'It is sunny in Paris.' });

    const { events, types } = await run('weather in Paris?', { agent: 'thinker' });

    expect(WeatherService.calls).toEqual(['Paris']);
    expect(events.find((e) => e.type === 'TOOL_CALL_START')).toMatchObject({ toolCallId: 'call_w', toolCallName: 'getWeather' });
    expect(types.filter((t) => t === 'TOOL_CALL_ARGS').length).toBeGreaterThan(1);
    expect(textOf(events)).toBe('It is sunny in Paris.');
    const encrypted = events.find((e) => e.type === 'REASONING_ENCRYPTED_VALUE')!.encryptedValue as string;
    const reasoningId = encrypted.split(':')[1];

    expect(bodies).toHaveLength(2);
    expect(bodies[1].input.slice(1)).toEqual([
      {
        type: 'reasoning',
        id: reasoningId,
        summary: [{ type: 'summary_text', text: 'I need the weather.' }],
        encrypted_content: encryptedFor(reasoningId),
      },
      { type: 'function_call', call_id: 'call_w', name: 'getWeather', arguments: '{"city":"Paris"}' },
      { type: 'function_call_output', call_id: 'call_w', output: '{"city":"Paris","sky":"sunny","celsius":21}' },
    ]);
  });

  it('runs parallel backend calls of one step and answers each by its call_id', async () => {
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
      ['c1', '{"city":"Rome","sky":"sunny","celsius":21}'],
      ['c2', '12:00'],
    ]);
    expect(new Set(events.filter((e) => e.type === 'TOOL_CALL_START').map((e) => e.parentMessageId)).size).toBe(1);
    expect(textOf(events)).toBe('Sunny, and noon.');
    expect(bodies[1].input.slice(1)).toEqual([
      { type: 'function_call', call_id: 'c1', name: 'getWeather', arguments: '{"city":"Rome"}' },
      { type: 'function_call', call_id: 'c2', name: 'getTime', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c1', output: '{"city":"Rome","sky":"sunny","celsius":21}' },
      { type: 'function_call_output', call_id: 'c2', output: '12:00' },
    ]);
  });

  it('hands a frontend tool to the client; the next run sends the history (reasoning, text, call, result) back', async () => {
    llm.server.on(
      { userMessage: 'highlight', hasToolResult: false },
      {
        reasoning: 'The user wants task 7.',
        content: 'Highlighting it.',
        toolCalls: [{ id: 'call_h', name: 'highlight', arguments: { id: 'task-7' } }],
      },
    );
    llm.server.on({ userMessage: 'highlight', hasToolResult: true }, { content: 'Done, it is highlighted.' });
    const agent = new HttpAgent({ url: `${server.url}/agent/thinker/run` });
    agent.addMessage({ id: randomUUID(), role: 'user', content: 'highlight task 7' });

    const first = await agent.runAgent({ tools: [highlightTool] });
    expect(first.newMessages.map((m) => m.role)).toEqual(['reasoning', 'assistant']);
    expect(requests()).toHaveLength(1);
    const reasoning = first.newMessages[0] as { encryptedValue?: string };
    const reasoningId = reasoning.encryptedValue!.split(':')[1];

    agent.addMessage({ id: randomUUID(), role: 'tool', toolCallId: 'call_h', content: '{"highlighted":true}' });
    const second = await agent.runAgent({ tools: [highlightTool] });

    expect(second.newMessages.map((m) => [m.role, m.content])).toEqual([['assistant', 'Done, it is highlighted.']]);
    expect(bodies[1].input).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'highlight task 7' }] },
      {
        type: 'reasoning',
        id: reasoningId,
        summary: [{ type: 'summary_text', text: 'The user wants task 7.' }],
        encrypted_content: encryptedFor(reasoningId),
      },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Highlighting it.', annotations: [] }] },
      { type: 'function_call', call_id: 'call_h', name: 'highlight', arguments: '{"id":"task-7"}' },
      { type: 'function_call_output', call_id: 'call_h', output: '{"highlighted":true}' },
    ]);
  });

  it('reports token usage on RUN_FINISHED', async () => {
    llm.server.onMessage('count', { content: 'Counting tokens.', usage: { input_tokens: 11, output_tokens: 7 } });
    const { events } = await run('count me');
    expect(events.at(-1)).toMatchObject({
      type: 'RUN_FINISHED',
      usage: [{ provider: 'openai', model: 'gpt-4.1-test', inputTokens: 11, outputTokens: 7, totalTokens: 18 }],
    });
  });

  it('sends the tool choice a client asks for, for the first call only', async () => {
    llm.server.on(
      { userMessage: 'forced', hasToolResult: false },
      { toolCalls: [{ id: 'f1', name: 'getWeather', arguments: { city: 'Oslo' } }] },
    );
    llm.server.on({ userMessage: 'forced', hasToolResult: true }, { content: 'Cold.' });
    await run('forced weather', { forwardedProps: { toolChoice: { type: 'function', function: { name: 'getWeather' } } } });
    expect(bodies.map((body) => body.tool_choice)).toEqual([{ type: 'function', name: 'getWeather' }, undefined]);

    bodies.length = 0;
    llm.server.onMessage('required', { content: 'Fine.' });
    await run('required tool', { forwardedProps: { toolChoice: 'required' } });
    expect(bodies[0].tool_choice).toBe('required');
  });

  it('sends an image as input_image', async () => {
    llm.server.onMessage('what is this', { content: 'A red dot.' });
    const input = runInput();
    input.messages = [
      {
        id: randomUUID(),
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image', source: { type: 'data', value: 'aGk=', mimeType: 'image/png' } },
          { type: 'image', source: { type: 'url', value: 'https://example.com/dot.png' } },
        ],
      },
    ] as never;
    const { events } = await postSse(`${server.url}/agent/default/run`, input);
    expect(textOf(events)).toBe('A red dot.');
    expect(bodies[0].input).toEqual([
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_text', text: 'what is this?' },
          { type: 'input_image', image_url: 'data:image/png;base64,aGk=', detail: 'auto' },
          { type: 'input_image', image_url: 'https://example.com/dot.png', detail: 'auto' },
        ],
      },
    ]);
  });

  it('maps the model settings, warns once about the ones Responses lacks, and merges providerOptions last', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      llm.server.onMessage('tuned', { content: 'Tuned.' });
      await run('tuned one');
      await run('tuned two', { agent: 'tuned' });
      await run('tuned three', { agent: 'tuned' });
      const ignored = warn.mock.calls.map((call) => String(call[0])).filter((message) => message.includes('the Responses API has no'));
      expect(ignored).toEqual([expect.stringContaining("'stopSequences'"), expect.stringContaining("'seed'")]);
    } finally {
      warn.mockRestore();
    }
    const body = bodies[1];
    expect(body).toMatchObject({
      temperature: 0.3,
      top_p: 0.9,
      max_output_tokens: 256,
      parallel_tool_calls: false,
      metadata: { tenant: 't1' },
    });
    for (const field of ['stop', 'seed', 'max_tokens', 'messages']) expect(body).not.toHaveProperty(field);
  });

  it('retries a 429 before the first token and reports a rejected key without leaking it', async () => {
    llm.server.on(
      { userMessage: 'flaky', sequenceIndex: 0 },
      { error: { message: 'slow down', type: 'rate_limit_error' }, status: 429, retryAfter: 0 },
    );
    llm.server.on({ userMessage: 'flaky', sequenceIndex: 1 }, { content: 'Second time lucky.' });
    expect(textOf((await run('flaky', { agent: 'patient' })).events)).toBe('Second time lucky.');
    expect(requests().map((entry) => entry.response.status)).toEqual([429, 200]);

    llm.server.nextRequestError(401, { message: 'Incorrect API key provided: sk-test-secret', type: 'authentication_error' });
    const { events } = await run('hello');
    expect(events.at(-1)).toEqual({
      type: 'RUN_ERROR',
      code: 'UPSTREAM_AUTH',
      message: 'The openai API rejected the credentials (HTTP 401).',
    });
    expect(JSON.stringify(events)).not.toContain('secret');
  });

  it('cancels the upstream request at once when the run is stopped', async () => {
    // The first words at once, then a 3 s stall: only the abort signal ends the request during it.
    const recordedTimings = { ttftMs: 0, interChunkDelaysMs: [0, 0, 0, 0, 3000], totalDurationMs: 3000 };
    llm.server.onMessage('long', { content: 'word '.repeat(60) }, { recordedTimings });
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
