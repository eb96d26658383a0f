import OpenAI from 'openai';
import type { Response as OpenAIResponse, ResponseStreamEvent } from 'openai/resources/responses/responses';
import type { Message } from '@ag-ui/core';
import { CopilotKitConfigurationError, OpenAIAdapter } from '../../lib/index.js';
import type { ModelRequest, ModelStreamPart } from '../../lib/agents/adapters/model-adapter.interface.js';
import { fromResponsesStream, toResponsesBody } from '../../lib/agents/adapters/openai-responses.js';
import { encodeReasoningItem, toResponsesInput } from '../../lib/agents/adapters/openai-responses-messages.js';
import { classifyUpstreamError } from '../../lib/agents/upstream-error.js';

/** A final `Response` with only what the mapping reads; the rest of the SDK type is not under test. */
const response = (fields: Partial<OpenAIResponse>) => ({ id: 'resp_1', object: 'response', output: [], ...fields }) as OpenAIResponse;

async function collect(events: ResponseStreamEvent[]): Promise<ModelStreamPart[]> {
  const parts: ModelStreamPart[] = [];
  for await (const part of fromResponsesStream(
    (async function* () {
      yield* events;
    })(),
    'openai',
    'o4-mini',
  )) {
    parts.push(part);
  }
  return parts;
}

describe('Responses stream mapping (aimock cannot script these events)', () => {
  it('streams a refusal as text and reports cached and reasoning tokens from response.completed', async () => {
    const parts = await collect([
      {
        type: 'response.output_text.delta',
        delta: 'Hi',
        item_id: 'msg_1',
        output_index: 0,
        content_index: 0,
        logprobs: [],
        sequence_number: 1,
      },
      {
        type: 'response.refusal.delta',
        delta: ' I cannot help with that.',
        item_id: 'msg_1',
        output_index: 0,
        content_index: 1,
        sequence_number: 2,
      },
      {
        type: 'response.completed',
        sequence_number: 3,
        response: response({
          status: 'completed',
          usage: {
            input_tokens: 100,
            input_tokens_details: { cached_tokens: 40, cache_write_tokens: 0 },
            output_tokens: 30,
            output_tokens_details: { reasoning_tokens: 20 },
            total_tokens: 130,
          },
        }),
      },
    ]);
    expect(parts).toEqual([
      { type: 'text', delta: 'Hi' },
      { type: 'text', delta: ' I cannot help with that.' },
      {
        type: 'usage',
        usage: {
          provider: 'openai',
          model: 'o4-mini',
          inputTokens: 100,
          outputTokens: 30,
          totalTokens: 130,
          cachedInputTokens: 40,
          reasoningTokens: 20,
        },
      },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  it('finishes an incomplete response with its reason', async () => {
    const parts = await collect([
      {
        type: 'response.incomplete',
        sequence_number: 1,
        response: response({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }),
      },
      {
        type: 'response.completed',
        sequence_number: 2,
        response: response({ status: 'incomplete', incomplete_details: { reason: 'content_filter' } }),
      },
    ]);
    expect(parts).toEqual([
      { type: 'finish', reason: 'length' },
      { type: 'finish', reason: 'content_filter' },
    ]);
  });

  it.each([
    ['rate_limit_exceeded', 'RATE_LIMITED', true],
    ['server_error', 'UPSTREAM_ERROR', true],
    ['invalid_prompt', 'UPSTREAM_BAD_REQUEST', false],
  ] as const)('throws on response.failed (%s) an error classified as %s', async (code, expected, retryable) => {
    const failed: ResponseStreamEvent = {
      type: 'response.failed',
      sequence_number: 1,
      response: response({ status: 'failed', error: { code, message: 'It failed.' } }),
    };
    const error = await collect([failed]).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(`The response failed (${code}): It failed.`);
    expect(classifyUpstreamError(error, 'openai')).toMatchObject({ code: expected, retryable });
  });

  it('throws on an error event', async () => {
    const error = await collect([{ type: 'error', code: null, message: 'Something broke.', param: null, sequence_number: 1 }]).catch(
      (thrown: unknown) => thrown,
    );
    expect(classifyUpstreamError(error, 'openai')).toMatchObject({ code: 'UPSTREAM_ERROR', retryable: true });
  });

  it('streams raw reasoning text, keeps summary parts apart, and encodes every reasoning item', async () => {
    const parts = await collect([
      { type: 'response.reasoning_text.delta', delta: 'raw', item_id: 'rs_a', output_index: 0, content_index: 0, sequence_number: 1 },
      {
        type: 'response.reasoning_summary_text.delta',
        delta: 'One.',
        item_id: 'rs_b',
        output_index: 1,
        summary_index: 0,
        sequence_number: 2,
      },
      {
        type: 'response.reasoning_summary_text.delta',
        delta: 'Two.',
        item_id: 'rs_b',
        output_index: 1,
        summary_index: 1,
        sequence_number: 3,
      },
      {
        type: 'response.output_item.done',
        output_index: 0,
        sequence_number: 4,
        item: { type: 'reasoning', id: 'rs_a', summary: [], encrypted_content: 'AAA=' },
      },
      {
        type: 'response.output_item.done',
        output_index: 1,
        sequence_number: 5,
        item: { type: 'reasoning', id: 'rs_b', summary: [], encrypted_content: 'BBB=' },
      },
    ]);
    expect(parts).toEqual([
      { type: 'reasoning', delta: 'raw' },
      { type: 'reasoning', delta: '\n\n' },
      { type: 'reasoning', delta: 'One.' },
      { type: 'reasoning', delta: '\n\n' },
      { type: 'reasoning', delta: 'Two.' },
      { type: 'reasoning-signature', signature: 'openai-responses:rs_a:AAA=' },
      { type: 'reasoning-signature', signature: ' openai-responses:rs_b:BBB=' },
    ]);
    // model-turn joins the signatures of one call; the next request gets both items back.
    const encryptedValue = parts.flatMap((part) => (part.type === 'reasoning-signature' ? [part.signature] : [])).join('');
    expect(toResponsesInput([{ id: 'r', role: 'reasoning', content: 'raw', encryptedValue }])).toEqual([
      { type: 'reasoning', id: 'rs_a', summary: [{ type: 'summary_text', text: 'raw' }], encrypted_content: 'AAA=' },
      { type: 'reasoning', id: 'rs_b', summary: [], encrypted_content: 'BBB=' },
    ]);
  });

  it('takes the arguments of a function call sent only with the finished item', async () => {
    const item = { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'getTime', arguments: '' } as const;
    const parts = await collect([
      { type: 'response.output_item.added', output_index: 2, sequence_number: 1, item },
      { type: 'response.output_item.done', output_index: 2, sequence_number: 2, item: { ...item, arguments: '{"tz":"UTC"}' } },
      { type: 'response.completed', sequence_number: 3, response: response({ status: 'completed' }) },
    ]);
    expect(parts).toEqual([
      { type: 'tool-call', index: 2, id: 'call_1', name: 'getTime' },
      { type: 'tool-call-delta', index: 2, delta: '{"tz":"UTC"}' },
      { type: 'finish', reason: 'tool_calls' },
    ]);
  });
});

describe('a failed response through the real SDK', () => {
  it('reaches the agent as an error it classifies, after the text streamed so far', async () => {
    const sse = [
      {
        type: 'response.output_text.delta',
        delta: 'Par',
        item_id: 'm',
        output_index: 0,
        content_index: 0,
        logprobs: [],
        sequence_number: 1,
      },
      {
        type: 'response.failed',
        sequence_number: 2,
        response: { id: 'r', status: 'failed', error: { code: 'server_error', message: 'Oops' } },
      },
    ]
      .map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)
      .join('');
    // The SDK parses this body as it would OpenAI's: the failure event arrives as an event, not a throw.
    const client = new OpenAI({
      apiKey: 'sk-test',
      maxRetries: 0,
      fetch: async () => new Response(sse, { headers: { 'content-type': 'text/event-stream' } }),
    });
    const adapter = new OpenAIAdapter({ client, model: 'gpt-test', api: 'responses' });
    const parts: ModelStreamPart[] = [];
    const error = await (async () => {
      for await (const part of adapter.stream(request())) parts.push(part);
    })().catch((thrown: unknown) => thrown);
    expect(parts).toEqual([{ type: 'text', delta: 'Par' }]);
    expect(classifyUpstreamError(error, 'openai')).toMatchObject({ code: 'UPSTREAM_ERROR' });
  });
});

describe('Responses request body', () => {
  it('asks for summaries and encrypted reasoning when reasoning is on, without an effort if none is set', () => {
    const body = toResponsesBody('o4-mini', request({ settings: { reasoning: { budgetTokens: 1000 } } }));
    expect(body).toMatchObject({ reasoning: { summary: 'auto' }, include: ['reasoning.encrypted_content'], store: false });
    expect(body.reasoning).not.toHaveProperty('effort');
  });

  it('sends tool choice only with tools, and lets providerOptions win', () => {
    expect(toResponsesBody('m', request({ toolChoice: 'none' }))).not.toHaveProperty('tool_choice');
    const tools = [{ name: 't', description: 'd', parameters: { type: 'object' } }];
    expect(toResponsesBody('m', request({ tools, toolChoice: 'none' })).tool_choice).toBe('none');
    expect(toResponsesBody('m', request({ settings: { providerOptions: { store: true } } })).store).toBe(true);
  });
});

describe('AG-UI messages as Responses input', () => {
  it('maps system, developer, documents, audio and tool errors; drops reasoning OpenAI did not encrypt', () => {
    const messages = [
      { id: '1', role: 'developer', content: 'Be terse.' },
      {
        id: '2',
        role: 'user',
        content: [
          { type: 'document', source: { type: 'data', value: 'JVBE', mimeType: 'application/pdf' } },
          { type: 'document', source: { type: 'url', value: 'https://example.com/a.pdf' } },
          { type: 'audio', source: { type: 'data', value: 'UklG', mimeType: 'audio/wav' } },
        ],
      },
      // Anthropic's signed thinking, from a run on another model: not OpenAI's to read.
      { id: '3', role: 'reasoning', content: 'Thinking.', encryptedValue: 'EqQBCkYIBxgCKkAx9fGh2Kq3LmNoPqRsTuVwXyZ0123456789abcdef==' },
      { id: '4', role: 'reasoning', content: 'No signature.' },
      { id: '4b', role: 'reasoning', content: 'Tagged by someone else.', encryptedValue: 'some-other-provider:item_1:Zm9v' },
      { id: '5', role: 'assistant', content: '', toolCalls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '' } }] },
      { id: '6', role: 'tool', toolCallId: 'c', content: 'bad city', error: 'not found' },
    ] as Message[];
    expect(toResponsesInput(messages)).toEqual([
      { type: 'message', role: 'developer', content: 'Be terse.' },
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_file', file_data: 'data:application/pdf;base64,JVBE', filename: 'document' },
          { type: 'input_file', file_url: 'https://example.com/a.pdf' },
          { type: 'input_text', text: '[audio omitted: not supported by this model]' },
        ],
      },
      { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c', output: 'Error: not found\nbad city' },
    ]);
  });

  it('round-trips an encoded reasoning item', () => {
    const encryptedValue = encodeReasoningItem('rs_1', 'gAAAA+/=');
    expect(toResponsesInput([{ id: 'r', role: 'reasoning', content: '', encryptedValue }])).toEqual([
      { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAAA+/=' },
    ]);
  });
});

describe('OpenAIAdapter options', () => {
  const client = new OpenAI({ apiKey: 'sk-test' });

  it('defaults to Chat Completions', () => {
    expect(new OpenAIAdapter({ client, model: 'm' }).api).toBe('chat');
  });

  it('rejects an unknown api, and a client without responses.create, at construction', () => {
    expect(() => new OpenAIAdapter({ client, model: 'm', api: 'assistants' as never })).toThrow(CopilotKitConfigurationError);
    expect(() => new OpenAIAdapter({ client, model: 'm', api: 'assistants' as never })).toThrow(/'api' must be 'chat'.*or 'responses'/);
    const chatOnly = { chat: client.chat };
    expect(() => new OpenAIAdapter({ client: chatOnly, model: 'm', api: 'responses' })).toThrow(
      /needs a client with responses\.create\(\)/,
    );
  });
});

function request(fields: Partial<ModelRequest> = {}): ModelRequest {
  return {
    system: 'sys',
    messages: [{ id: 'u', role: 'user', content: 'hi' }],
    tools: [],
    settings: {},
    signal: new AbortController().signal,
    ...fields,
  };
}
