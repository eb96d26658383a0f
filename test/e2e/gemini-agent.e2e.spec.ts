import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { GoogleGenAI } from '@google/genai';
import { HttpAgent } from '@ag-ui/client';
import { BuiltInAgent, CopilotKitModule, GoogleAdapter, type UsageReport } from '../../lib/index.js';
import { GeminiMock } from '../fixtures/gemini-mock.js';
import { startApp, type TestApp } from '../fixtures/test-app.js';
import { openSse, postJson, postSse, runInput } from '../fixtures/sse-client.js';

import { highlightTool, WeatherModule, WeatherService } from '../fixtures/weather.fixture.js';

const MODEL = 'gemini-2.5-flash';
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

describe.each(['adapter', 'model string'] as const)('BuiltInAgent on Gemini (%s)', (form) => {
  const llm = new GeminiMock();
  let server: TestApp;
  const usage: UsageReport[] = [];
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    await llm.start();
    if (form === 'model string') {
      // The key as the official docs set it, and the base URL variable `@google/genai` reads.
      delete process.env.GOOGLE_API_KEY;
      delete process.env.GOOGLE_GENAI_USE_VERTEXAI;
      process.env.GEMINI_API_KEY = 'gemini-env-secret';
      process.env.GOOGLE_GEMINI_BASE_URL = llm.server.url;
    }
    const agent = (extra = {}) =>
      new BuiltInAgent({
        model: form === 'adapter' ? llm.adapter(MODEL) : `google/${MODEL}`,
        instructions: 'You are a test agent.',
        onUsage: (report) => usage.push(report),
        ...extra,
      });
    server = await startApp([
      WeatherModule,
      CopilotKitModule.forRoot({
        agents: {
          default: agent(),
          patient: agent({ retry: { retries: 2, initialDelayMs: 10 } }),
          thinker: agent({ reasoning: { budgetTokens: 1024, effort: 'low' } }),
          tuned: agent({ temperature: 0.2, topP: 0.9, maxOutputTokens: 256, stopSequences: ['END'], seed: 7 }),
          unreachable: new BuiltInAgent({
            model: new GoogleAdapter({
              client: new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: `http://127.0.0.1:${await closedPort()}` } }),
              model: MODEL,
            }),
            retry: { retries: 1, initialDelayMs: 5 },
          }),
        },
      }),
    ]);
  });
  afterAll(async () => {
    await server.close();
    await llm.stop();
    process.env = savedEnv;
  });
  beforeEach(() => {
    llm.reset();
    WeatherService.calls = [];
    usage.length = 0;
  });

  async function run(
    text: string,
    { agent = 'default', tools = [] as (typeof highlightTool)[], messages = undefined as never, forwardedProps = {} } = {},
  ) {
    const input = runInput({ text, tools, forwardedProps });
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
    expect(types.filter((t) => t === 'TEXT_MESSAGE_CONTENT').length).toBeGreaterThan(3);
    expect(textOf(events)).toBe('Hello there! How can I help you today?');
    expect(types.at(-1)).toBe('RUN_FINISHED');
    expect(llm.wire[0].path).toBe(`/models/${MODEL}:streamGenerateContent`);
    expect(llm.wire[0].apiKey).toBe(form === 'adapter' ? 'gemini-test-secret' : 'gemini-env-secret');
    expect(llm.wire[0].body.contents).toEqual([{ role: 'user', parts: [{ text: 'hello' }] }]);
  });

  it('runs a backend action, then sends its result back as the functionResponse of that call', async () => {
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
      'TOOL_CALL_ARGS',
      'TOOL_CALL_END',
      'TOOL_CALL_RESULT',
      'TEXT_MESSAGE_START',
      ...types.filter((t) => t === 'TEXT_MESSAGE_CONTENT'),
      'TEXT_MESSAGE_END',
      'RUN_FINISHED',
    ]);
    expect(events.find((e) => e.type === 'TOOL_CALL_START')).toMatchObject({ toolCallId: 'call_w', toolCallName: 'getWeather' });
    expect(textOf(events)).toBe('It is sunny in Paris.');

    const first = llm.wire[0].body;
    expect(first.tools?.[0].functionDeclarations.map((d) => d.name).sort()).toEqual(['getTime', 'getWeather']);
    expect(first.tools?.[0].functionDeclarations.find((d) => d.name === 'getWeather')).toEqual({
      name: 'getWeather',
      description: 'Current weather in a city',
      parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    });
    const second = llm.wire[1].body.contents;
    expect(second.slice(1)).toEqual([
      { role: 'model', parts: [{ functionCall: { id: 'call_w', name: 'getWeather', args: { city: 'Paris' } } }] },
      {
        role: 'user',
        parts: [
          { functionResponse: { id: 'call_w', name: 'getWeather', response: { output: '{"city":"Paris","sky":"sunny","celsius":21}' } } },
        ],
      },
    ]);
  });

  it('runs parallel calls of one step and answers them together, with or without an id from Gemini', async () => {
    llm.server.on(
      { userMessage: 'both', hasToolResult: false },
      {
        toolCalls: [
          { id: 'c1', name: 'getWeather', arguments: { city: 'Rome' } },
          { name: 'getTime', arguments: {} },
        ],
      },
    );
    llm.server.on({ userMessage: 'both', hasToolResult: true }, { content: 'Sunny, and noon.' });

    const { events } = await run('both please');

    const results = events.filter((e) => e.type === 'TOOL_CALL_RESULT').map((e) => [e.toolCallId, e.content]);
    expect(results).toEqual([
      ['c1', '{"city":"Rome","sky":"sunny","celsius":21}'],
      [expect.stringMatching(/^gemini-call-[0-9a-f-]{36}$/), '12:00'],
    ]);
    expect(new Set(events.filter((e) => e.type === 'TOOL_CALL_START').map((e) => e.parentMessageId)).size).toBe(1);
    expect(textOf(events)).toBe('Sunny, and noon.');
    // An id Gemini did not give is not sent to it: the result is matched by name and order.
    expect(llm.wire[1].body.contents.at(-1)).toEqual({
      role: 'user',
      parts: [
        { functionResponse: { id: 'c1', name: 'getWeather', response: { output: '{"city":"Rome","sky":"sunny","celsius":21}' } } },
        { functionResponse: { name: 'getTime', response: { output: '12:00' } } },
      ],
    });
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
    expect(llm.wire[1].body.contents.at(-1)).toEqual({
      role: 'user',
      parts: [{ functionResponse: { id: 'call_h', name: 'highlight', response: { output: '{"highlighted":true}' } } }],
    });
  });

  it("keeps Gemini's thought signature with its call, within a run and across runs", async () => {
    llm.scripted.push([
      {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [{ functionCall: { name: 'getWeather', args: { city: 'Oslo' } }, thoughtSignature: 'c2lnLTE=' }],
            },
            finishReason: 'STOP',
          },
        ],
      },
    ]);
    llm.server.on({ userMessage: 'signed', hasToolResult: true }, { content: 'Cold in Oslo.' });

    const { events } = await run('signed weather');

    const callId = events.find((e) => e.type === 'TOOL_CALL_START')!.toolCallId;
    expect(callId).toMatch(/^gemini-call-[0-9a-f-]{36}~ts~c2lnLTE=$/);
    expect(textOf(events)).toBe('Cold in Oslo.');
    expect(llm.wire[1].body.contents[1]).toEqual({
      role: 'model',
      parts: [{ functionCall: { name: 'getWeather', args: { city: 'Oslo' } }, thoughtSignature: 'c2lnLTE=' }],
    });
    expect(llm.wire[1].body.contents[2].parts).toEqual([
      { functionResponse: { name: 'getWeather', response: { output: '{"city":"Oslo","sky":"sunny","celsius":21}' } } },
    ]);
  });

  it('puts the instructions, the context entries and the shared state in systemInstruction', async () => {
    llm.server.onMessage('context', { content: 'Noted.' });
    const input = runInput({ text: 'context please', state: { cart: ['apple'] } });
    input.context = [{ description: 'The page the user is on', value: 'Checkout' }];
    await postSse(`${server.url}/agent/default/run`, input);
    const { systemInstruction, contents } = llm.wire[0].body;
    expect(systemInstruction?.parts).toHaveLength(1);
    expect(systemInstruction?.parts[0].text).toContain('You are a test agent.');
    expect(systemInstruction?.parts[0].text).toContain('The page the user is on:\nCheckout');
    expect(systemInstruction?.parts[0].text).toContain('"cart"');
    expect(contents.map((c) => c.role)).toEqual(['user']);
  });

  it('sends an image as inline data, and one by URL as file data', async () => {
    llm.server.onMessage('picture', { content: 'A single pixel.' });
    const { events } = await run('', {
      messages: [
        {
          id: randomUUID(),
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            { type: 'image', source: { type: 'data', value: PNG, mimeType: 'image/png' } },
            { type: 'image', source: { type: 'url', value: 'https://example.com/cat.jpg', mimeType: 'image/jpeg' } },
          ],
        },
      ] as never,
    });
    expect(textOf(events)).toBe('A single pixel.');
    expect(llm.wire[0].body.contents[0].parts).toEqual([
      { text: 'What is in this picture?' },
      { inlineData: { mimeType: 'image/png', data: PNG } },
      { fileData: { fileUri: 'https://example.com/cat.jpg', mimeType: 'image/jpeg' } },
    ]);
  });

  it('reports token usage on RUN_FINISHED and to onUsage', async () => {
    llm.server.onMessage('count', { content: 'Counting tokens.', usage: { prompt_tokens: 11, completion_tokens: 7 } });
    const { events, input } = await run('count me');
    const expected = { provider: 'google', model: MODEL, inputTokens: 11, outputTokens: 7, totalTokens: 18 };
    expect(events.at(-1)?.usage).toEqual([expected]);
    expect(usage).toEqual([expect.objectContaining({ agentId: 'default', threadId: input.threadId, runId: input.runId })]);
    expect(usage[0].usage).toEqual([expected]);
  });

  it('streams thoughts as reasoning the official client accepts, asking for them with the budget', async () => {
    llm.server.onMessage('think', { reasoning: 'Let me think step by step.', content: 'The answer is 42.' });
    const agent = new HttpAgent({ url: `${server.url}/agent/thinker/run` });
    agent.addMessage({ id: randomUUID(), role: 'user', content: 'think hard' });
    const { newMessages } = await agent.runAgent();
    expect(newMessages.map((m) => [m.role, m.content])).toEqual([
      ['reasoning', 'Let me think step by step.'],
      ['assistant', 'The answer is 42.'],
    ]);
    expect(llm.wire[0].body.generationConfig?.thinkingConfig).toEqual({ includeThoughts: true, thinkingBudget: 1024 });
  });

  it('passes the model settings on as generationConfig', async () => {
    llm.server.onMessage('tuned', { content: 'Tuned.' });
    await run('tuned', { agent: 'tuned' });
    expect(llm.wire[0].body.generationConfig).toEqual({
      temperature: 0.2,
      topP: 0.9,
      maxOutputTokens: 256,
      stopSequences: ['END'],
      seed: 7,
    });
  });

  it.each([
    ['required', { mode: 'ANY' }],
    ['none', { mode: 'NONE' }],
    ['auto', { mode: 'AUTO' }],
    [
      { type: 'function', function: { name: 'getWeather' } },
      { mode: 'ANY', allowedFunctionNames: ['getWeather'] },
    ],
  ])('forwards the tool choice %j as functionCallingConfig', async (toolChoice, expected) => {
    llm.server.onMessage('choose', { content: 'Chosen.' });
    await run('choose', { forwardedProps: { toolChoice } });
    expect(llm.wire[0].body.toolConfig).toEqual({ functionCallingConfig: expected });
  });

  describe('upstream failures', () => {
    it('ends the run with a RUN_ERROR that names the cause and leaks no key', async () => {
      llm.server.nextRequestError(401, { message: 'API key not valid: gemini-test-secret', type: 'UNAUTHENTICATED' });
      const { events } = await run('hello');
      expect(events.at(-1)).toEqual({
        type: 'RUN_ERROR',
        code: 'UPSTREAM_AUTH',
        message: 'The google API rejected the credentials (HTTP 401).',
      });
      expect(JSON.stringify(events)).not.toContain('secret');
    });

    it('retries a 429 and a 503 before the first token, then succeeds, with no retry of its own in the SDK', async () => {
      llm.server.on(
        { userMessage: 'flaky', sequenceIndex: 0 },
        { error: { message: 'slow down', type: 'RESOURCE_EXHAUSTED' }, status: 429 },
      );
      llm.server.on({ userMessage: 'flaky', sequenceIndex: 1 }, { error: { message: 'overloaded', type: 'UNAVAILABLE' }, status: 503 });
      llm.server.on({ userMessage: 'flaky', sequenceIndex: 2 }, { content: 'Third time lucky.' });
      const { events } = await run('flaky', { agent: 'patient' });
      expect(llm.statuses()).toEqual([429, 503, 200]);
      expect(textOf(events)).toBe('Third time lucky.');
    });

    it('gives up on a 429 after the configured retries, as RATE_LIMITED', async () => {
      llm.server.on({ userMessage: 'busy' }, { error: { message: 'quota', type: 'RESOURCE_EXHAUSTED' }, status: 429 });
      const { events } = await run('busy', { agent: 'patient' });
      expect(llm.statuses()).toEqual([429, 429, 429]);
      expect(events.at(-1)).toMatchObject({ type: 'RUN_ERROR', code: 'RATE_LIMITED' });
    });

    it('reports a request Gemini rejects as UPSTREAM_BAD_REQUEST, without retrying it', async () => {
      llm.server.on({ userMessage: 'invalid' }, { error: { message: 'bad schema', type: 'INVALID_ARGUMENT' }, status: 400 });
      const { events } = await run('invalid', { agent: 'patient' });
      expect(llm.statuses()).toEqual([400]);
      expect(events.at(-1)).toMatchObject({ type: 'RUN_ERROR', code: 'UPSTREAM_BAD_REQUEST' });
    });

    it('retries a refused connection, then reports the API as unreachable', async () => {
      const { events } = await run('anyone there?', { agent: 'unreachable' });
      expect(events.at(-1)).toEqual({ type: 'RUN_ERROR', code: 'UPSTREAM_UNREACHABLE', message: 'The google API could not be reached.' });
    });

    it('reports a stream that breaks mid-answer, with the partial answer closed', async () => {
      llm.server.onMessage(
        'cut',
        { content: 'This answer will be cut off somewhere in the middle.' },
        { latency: 5, truncateAfterChunks: 3 },
      );
      const agent = new HttpAgent({ url: `${server.url}/agent/default/run` });
      agent.addMessage({ id: randomUUID(), role: 'user', content: 'cut' });
      const errors: string[] = [];
      await agent.runAgent({}, { onRunErrorEvent: ({ event }) => void errors.push(event.code ?? '') });
      expect(errors).toEqual(['STREAM_INTERRUPTED']);
      expect(agent.messages.at(-1)).toMatchObject({ role: 'assistant', content: expect.stringMatching(/^This a/) });
      expect(llm.statuses()).toHaveLength(1);
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

describe('the README example with Gemini and Groq', () => {
  const llm = new GeminiMock();
  let server: TestApp;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    await llm.start();
    delete process.env.GOOGLE_API_KEY;
    process.env.GEMINI_API_KEY = 'gemini-env-secret';
    process.env.GOOGLE_GEMINI_BASE_URL = llm.server.url;
    // The same aimock speaks OpenAI Chat Completions, as Groq does.
    process.env.GROQ_API_KEY = 'gsk-env-secret';
    process.env.GROQ_BASE_URL = `${llm.server.url}/v1`;
    const { GeminiCopilotModule } = await import('../readme/gemini-copilot.module.js');
    server = await startApp([GeminiCopilotModule]);
  });
  beforeEach(() => llm.reset());
  afterAll(async () => {
    await server.close();
    await llm.stop();
    process.env = savedEnv;
  });

  it.each([
    ['default', 'google', 'gemini-2.5-flash'],
    ['fast', 'groq', 'llama-3.3-70b-versatile'],
  ])('answers on the %s agent, served by %s', async (agent, provider, model) => {
    llm.server.onMessage('hi', { content: `Hi from ${provider}.`, usage: { prompt_tokens: 3, completion_tokens: 4 } });
    const { events } = await postSse(`${server.url}/agent/${agent}/run`, runInput({ text: 'hi' }));
    const text = events.filter((e) => e.type === 'TEXT_MESSAGE_CONTENT').map((e) => e.delta);
    expect(text.join('')).toBe(`Hi from ${provider}.`);
    expect(events.at(-1)).toMatchObject({
      type: 'RUN_FINISHED',
      usage: [expect.objectContaining({ model, inputTokens: 3, outputTokens: 4 })],
    });
    const paths = llm.server.getRequests().map((entry) => entry.path);
    expect(paths.at(-1)).toBe(provider === 'google' ? `/v1beta/models/${model}:streamGenerateContent?alt=sse` : '/v1/chat/completions');
  });
});

/** A port nothing listens on: one the system just handed out and took back. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
