import type { TokenUsage } from '@ag-ui/core';
import type { ModelRequest, ModelStreamPart, ModelToolChoice } from './model-adapter.interface.js';
import { encodeReasoningItem, toResponsesInput, toResponsesTools } from './openai-responses-messages.js';
import { withoutUndefined } from './openai-messages.js';
import { RESPONSES_STREAM_FAILED } from '../agents.messages.js';

/** The model settings the Responses API has no field for. */
export const RESPONSES_UNSUPPORTED_SETTINGS = ['stopSequences', 'seed'] as const;

/**
 * The request body of one streamed Responses call. Stateless (`store: false`): the conversation
 * is sent whole each time, as for Chat Completions, so nothing is kept at OpenAI between runs and
 * a thread can move between servers. With reasoning on, the encrypted reasoning is asked for, so
 * it can go back to the model after a tool call.
 */
export function toResponsesBody(model: string, request: ModelRequest): Record<string, unknown> {
  const { settings, tools } = request;
  return {
    model,
    ...(request.system && { instructions: request.system }),
    input: toResponsesInput(request.messages),
    stream: true,
    store: false,
    ...(tools.length > 0 && { tools: toResponsesTools(tools) }),
    ...(tools.length > 0 && settings.parallelToolCalls !== undefined && { parallel_tool_calls: settings.parallelToolCalls }),
    ...(tools.length > 0 && request.toolChoice && { tool_choice: toResponsesToolChoice(request.toolChoice) }),
    ...(settings.temperature !== undefined && { temperature: settings.temperature }),
    ...(settings.topP !== undefined && { top_p: settings.topP }),
    ...(settings.maxOutputTokens !== undefined && { max_output_tokens: settings.maxOutputTokens }),
    ...(settings.reasoning && {
      reasoning: { ...(settings.reasoning.effort && { effort: settings.reasoning.effort }), summary: 'auto' },
      include: ['reasoning.encrypted_content'],
    }),
    ...settings.providerOptions,
  };
}

function toResponsesToolChoice(choice: ModelToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', name: choice.name };
}

/** The fields of the stream events the mapping reads (`ResponseStreamEvent` of the `openai` SDK). */
interface EventLike {
  type: string;
  output_index?: number;
  item_id?: string;
  summary_index?: number;
  delta?: string;
  item?: { type: string; id?: string; call_id?: string; name?: string; arguments?: string; encrypted_content?: string | null };
  response?: ResponseLike;
  code?: string | null;
  message?: string;
}

interface ResponseLike {
  status?: string;
  incomplete_details?: { reason?: string } | null;
  error?: { code?: string; message?: string } | null;
  usage?: {
    input_tokens?: number;
    output_tokens?: number;
    total_tokens?: number;
    input_tokens_details?: { cached_tokens?: number };
    output_tokens_details?: { reasoning_tokens?: number };
  } | null;
}

/**
 * A response that failed after the stream opened (`response.failed`, or an `error` event). It
 * carries the HTTP status OpenAI gives the same failure as a response, so the agent's error
 * classification treats both alike: a rate limit or server error is retried before the first
 * token, anything else is the request's fault.
 */
export class ResponsesStreamError extends Error {
  override readonly name = 'ResponsesStreamError';
  readonly status: number;
  readonly code: string | undefined;

  constructor(error: { code?: string | null; message?: string } | null | undefined) {
    super(RESPONSES_STREAM_FAILED(error?.code ?? undefined, error?.message ?? undefined));
    this.code = error?.code ?? undefined;
    this.status = statusOf(this.code);
  }
}

function statusOf(code: string | undefined): number {
  if (!code || code === 'server_error' || code === 'vector_store_timeout') return 500;
  if (/rate_limit/.test(code)) return 429;
  return 400;
}

/**
 * Responses stream events as the agent's stream parts: output text (and a refusal, which the user
 * should read too), reasoning summaries (or raw reasoning text, which compatible servers stream),
 * function calls by output index with their `call_id`, the encrypted reasoning of each finished
 * reasoning item, and usage and a finish reason from the final event.
 */
export async function* fromResponsesStream(
  events: AsyncIterable<unknown>,
  provider: string,
  model: string,
): AsyncIterable<ModelStreamPart> {
  const calls = new Map<number, { streamed: boolean }>();
  let lastSummary: string | undefined;
  let reasoningItems = 0;

  for await (const raw of events) {
    const event = raw as EventLike;
    switch (event.type) {
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        if (event.delta) yield { type: 'text', delta: event.delta };
        break;
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta': {
        if (!event.delta) break;
        // Summaries come in parts; keep them apart as paragraphs.
        const part = `${event.item_id}/${event.summary_index ?? 0}`;
        if (lastSummary !== undefined && lastSummary !== part) yield { type: 'reasoning', delta: '\n\n' };
        lastSummary = part;
        yield { type: 'reasoning', delta: event.delta };
        break;
      }
      case 'response.output_item.added': {
        const item = event.item;
        if (item?.type !== 'function_call' || event.output_index === undefined) break;
        const index = event.output_index;
        calls.set(index, { streamed: Boolean(item.arguments) });
        yield { type: 'tool-call', index, id: item.call_id ?? item.id ?? `call-${index}`, name: item.name ?? '' };
        if (item.arguments) yield { type: 'tool-call-delta', index, delta: item.arguments };
        break;
      }
      case 'response.function_call_arguments.delta': {
        const call = calls.get(event.output_index ?? -1);
        if (!call || !event.delta) break;
        call.streamed = true;
        yield { type: 'tool-call-delta', index: event.output_index!, delta: event.delta };
        break;
      }
      case 'response.output_item.done': {
        const item = event.item;
        const call = calls.get(event.output_index ?? -1);
        // A server that sends the arguments only with the finished item.
        if (item?.type === 'function_call' && call && !call.streamed && item.arguments) {
          call.streamed = true;
          yield { type: 'tool-call-delta', index: event.output_index!, delta: item.arguments };
        }
        if (item?.type === 'reasoning' && item.id && item.encrypted_content) {
          const encoded = encodeReasoningItem(item.id, item.encrypted_content);
          yield { type: 'reasoning-signature', signature: reasoningItems++ === 0 ? encoded : ` ${encoded}` };
        }
        break;
      }
      case 'response.completed':
      case 'response.incomplete': {
        const response = event.response ?? {};
        if (response.usage) yield { type: 'usage', usage: toUsage(provider, model, response.usage) };
        yield { type: 'finish', reason: finishReason(response, calls.size > 0) };
        break;
      }
      case 'response.failed':
        throw new ResponsesStreamError(event.response?.error);
      case 'error':
        throw new ResponsesStreamError(event);
      default:
        break;
    }
  }
}

/** In Chat Completions' words, which the rest of the agent and its logs already speak. */
function finishReason(response: ResponseLike, calledTools: boolean): string {
  if (response.status === 'incomplete' || response.incomplete_details) {
    const reason = response.incomplete_details?.reason;
    return reason === 'max_output_tokens' ? 'length' : (reason ?? 'incomplete');
  }
  return calledTools ? 'tool_calls' : 'stop';
}

function toUsage(provider: string, model: string, usage: NonNullable<ResponseLike['usage']>): TokenUsage {
  return withoutUndefined({
    provider,
    model,
    inputTokens: usage.input_tokens,
    outputTokens: usage.output_tokens,
    totalTokens: usage.total_tokens,
    cachedInputTokens: usage.input_tokens_details?.cached_tokens,
    reasoningTokens: usage.output_tokens_details?.reasoning_tokens,
  });
}
