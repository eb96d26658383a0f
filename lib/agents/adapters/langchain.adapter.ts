import { randomUUID } from 'node:crypto';
import { tokenUsageFromLangChainMetadata } from '@ag-ui/core';
import type { BaseMessage } from '@langchain/core/messages';
import { CopilotKitConfigurationError } from '../../errors/copilotkit-configuration.error.js';
import { isInstalled } from '../../platform/package-require.cjs';
import {
  INVALID_LANGCHAIN_CHAIN_FN,
  INVALID_LANGCHAIN_MODEL_LABEL,
  INVALID_LANGCHAIN_RESULT,
  MISSING_LANGCHAIN_CORE,
} from '../agents.messages.js';
import { loadLangChainMessages, toLangChainMessages, toLangChainTools, type LangChainToolDefinition } from './langchain-messages.js';
import type { ModelAdapter, ModelRequest, ModelSettings, ModelStreamPart, ModelToolChoice } from './model-adapter.interface.js';

/** What `chainFn` is given for one model call. */
export interface LangChainChainFnParameters {
  /** The conversation, the system prompt (instructions, context entries, shared state) first. */
  messages: BaseMessage[];
  /** The backend actions, MCP tools and frontend tools offered, for `model.bindTools(tools)`. */
  tools: LangChainToolDefinition[];
  /** The adapter's `model` label. */
  model: string;
  /**
   * Aborted when the run is stopped or the client goes away. Pass it on, as in
   * `chain.stream(messages, { signal })`, so the provider request is cancelled at once.
   */
  signal: AbortSignal;
  /**
   * Set when the client forces a tool choice, in LangChain's spelling (`'auto'`, `'any'`,
   * `'none'` or a tool name), for `model.bindTools(tools, { tool_choice: toolChoice })`.
   */
  toolChoice?: string;
  /** The agent's model settings; LangChain models mostly take these in their constructor instead. */
  settings: ModelSettings;
}

/**
 * What `chainFn` may return: a stream of message chunks (`chain.stream()`) or of strings (a chain
 * ending in `StringOutputParser`), a whole message (`chain.invoke()`), or a string.
 */
export type LangChainChainResult = string | BaseMessage | AsyncIterable<BaseMessage | string> | ReadableStream<BaseMessage | string>;

export interface LangChainAdapterOptions {
  chainFn: (parameters: LangChainChainFnParameters) => LangChainChainResult | Promise<LangChainChainResult>;
  /** The name usage reports and telemetry give the model. Default `'langchain'`. */
  model?: string;
}

/** The fields of a LangChain `AIMessage` or `AIMessageChunk` the adapter reads. */
interface MessageLike {
  content?: unknown;
  tool_call_chunks?: Array<{ index?: number; id?: string; name?: string; args?: string }>;
  tool_calls?: Array<{ id?: string; name: string; args?: unknown }>;
  usage_metadata?: UsageMetadata;
  response_metadata?: { finish_reason?: unknown; stop_reason?: unknown };
  additional_kwargs?: { reasoning_content?: unknown };
}

interface UsageMetadata {
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
  input_token_details?: { cache_read?: number; cache_creation?: number };
  output_token_details?: { reasoning?: number };
}

interface CallState {
  part: number;
  id?: string;
  name?: string;
  pending: string;
  open: boolean;
}

/**
 * Any LangChain chat model or chain as the model of the built-in agent: `chainFn` gets the
 * conversation as LangChain messages and the tools, and its answer is streamed back, so the
 * agent's loop (backend actions between calls, frontend tools, maxSteps, stop, retries, usage)
 * works as with the other adapters.
 */
export class LangChainAdapter implements ModelAdapter {
  readonly provider = 'langchain';
  readonly model: string;
  private readonly chainFn: LangChainAdapterOptions['chainFn'];

  constructor(options: LangChainAdapterOptions) {
    if (typeof options?.chainFn !== 'function') throw new CopilotKitConfigurationError(INVALID_LANGCHAIN_CHAIN_FN(options?.chainFn));
    const model = options.model ?? 'langchain';
    if (typeof model !== 'string' || !model.trim()) throw new CopilotKitConfigurationError(INVALID_LANGCHAIN_MODEL_LABEL(model));
    if (!isInstalled('@langchain/core/messages')) throw new CopilotKitConfigurationError(MISSING_LANGCHAIN_CORE);
    this.chainFn = options.chainFn;
    this.model = model;
  }

  async *stream(request: ModelRequest): AsyncIterable<ModelStreamPart> {
    const lc = await loadLangChainMessages();
    const result = await this.chainFn({
      messages: toLangChainMessages(lc, request.system, request.messages),
      tools: toLangChainTools(request.tools),
      model: this.model,
      signal: request.signal,
      ...(request.toolChoice && { toolChoice: toLangChainToolChoice(request.toolChoice) }),
      settings: request.settings,
    });
    const reader = new ResultReader(this.model);
    if (typeof result === 'string' || isMessage(result)) {
      yield* reader.read(result);
    } else if (isStream(result)) {
      for await (const item of untilAborted(result, request.signal)) yield* reader.read(item);
      if (request.signal.aborted) return;
    } else {
      throw new Error(INVALID_LANGCHAIN_RESULT(describe(result)));
    }
    yield* reader.finish();
  }
}

/** Turns what a chain streams or returns into the adapter's parts, one item at a time. */
class ResultReader {
  private readonly calls = new Map<string, CallState>();
  private last: CallState | undefined;
  private usage: UsageMetadata | undefined;
  private finishReason: string | undefined;

  constructor(private readonly model: string) {}

  *read(item: unknown): Iterable<ModelStreamPart> {
    if (typeof item === 'string') {
      if (item) yield { type: 'text', delta: item };
      return;
    }
    if (!isMessage(item)) throw new Error(INVALID_LANGCHAIN_RESULT(`a stream of ${describe(item)}`));
    const message = item as MessageLike;
    const reasoning = message.additional_kwargs?.reasoning_content;
    if (typeof reasoning === 'string' && reasoning) yield { type: 'reasoning', delta: reasoning };
    yield* contentParts(message.content);
    // A chunk's tool_calls are parsed from its own tool_call_chunks; a whole message has only tool_calls.
    if (message.tool_call_chunks?.length) {
      for (const chunk of message.tool_call_chunks) yield* this.toolCallChunk(chunk);
    } else {
      for (const call of message.tool_calls ?? []) yield* this.wholeToolCall(call);
    }
    if (message.usage_metadata) this.usage = addUsage(this.usage, message.usage_metadata);
    const reason = message.response_metadata?.finish_reason ?? message.response_metadata?.stop_reason;
    if (typeof reason === 'string' && reason) this.finishReason = reason;
  }

  /** The agent takes a stream without a finish part for a broken one, so there always is one. */
  *finish(): Iterable<ModelStreamPart> {
    for (const state of this.calls.values()) {
      // Some models never send a call id; the call still has to be answered under one.
      if (!state.open && state.name) yield* this.open(state, randomUUID());
    }
    const usage = this.usage && tokenUsageFromLangChainMetadata(this.usage, { provider: 'langchain', model: this.model });
    if (usage) yield { type: 'usage', usage };
    const called = [...this.calls.values()].some((state) => state.open);
    yield { type: 'finish', reason: this.finishReason ?? (called ? 'tool_calls' : 'stop') };
  }

  private *toolCallChunk(chunk: NonNullable<MessageLike['tool_call_chunks']>[number]): Iterable<ModelStreamPart> {
    // Calls are told apart by index; models that send none start a call with an id, and the
    // chunks without either continue the last one.
    const key = typeof chunk.index === 'number' ? `index:${chunk.index}` : chunk.id ? `id:${chunk.id}` : undefined;
    let state = key === undefined ? this.last : this.calls.get(key);
    if (!state) {
      state = { part: this.calls.size, pending: '', open: false };
      this.calls.set(key ?? `part:${state.part}`, state);
    }
    this.last = state;
    state.name ||= chunk.name || undefined;
    const id = state.id || chunk.id || undefined;
    // Start once both the id and the name are known; arguments streamed before then are held back.
    if (!state.open && id && state.name) yield* this.open(state, id);
    else state.id = id;
    if (!chunk.args) return;
    if (state.open) yield { type: 'tool-call-delta', index: state.part, delta: chunk.args };
    else state.pending += chunk.args;
  }

  private *wholeToolCall(call: NonNullable<MessageLike['tool_calls']>[number]): Iterable<ModelStreamPart> {
    const state: CallState = { part: this.calls.size, name: call.name, pending: JSON.stringify(call.args ?? {}), open: false };
    this.calls.set(`part:${state.part}`, state);
    yield* this.open(state, call.id || randomUUID());
  }

  private *open(state: CallState, id: string): Iterable<ModelStreamPart> {
    state.id = id;
    state.open = true;
    yield { type: 'tool-call', index: state.part, id, name: state.name! };
    if (state.pending) yield { type: 'tool-call-delta', index: state.part, delta: state.pending };
    state.pending = '';
  }
}

/** Text and reasoning of a message's content: a string, or content blocks of either. */
function* contentParts(content: unknown): Iterable<ModelStreamPart> {
  if (typeof content === 'string') {
    if (content) yield { type: 'text', delta: content };
    return;
  }
  if (!Array.isArray(content)) return;
  for (const block of content as unknown[]) {
    if (typeof block === 'string') {
      if (block) yield { type: 'text', delta: block };
      continue;
    }
    const { type, text, thinking, reasoning } = (block ?? {}) as Record<string, unknown>;
    if ((type === 'text' || type === 'text_delta') && typeof text === 'string' && text) yield { type: 'text', delta: text };
    else if (type === 'thinking' && typeof thinking === 'string' && thinking) yield { type: 'reasoning', delta: thinking };
    else if (type === 'reasoning' && typeof reasoning === 'string' && reasoning) yield { type: 'reasoning', delta: reasoning };
  }
}

/** LangChain sums the usage of a stream's chunks (one provider reports input first, output last). */
function addUsage(total: UsageMetadata | undefined, next: UsageMetadata): UsageMetadata {
  const sum = (a?: number, b?: number) => (a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0));
  return {
    input_tokens: sum(total?.input_tokens, next.input_tokens),
    output_tokens: sum(total?.output_tokens, next.output_tokens),
    total_tokens: sum(total?.total_tokens, next.total_tokens),
    input_token_details: {
      cache_read: sum(total?.input_token_details?.cache_read, next.input_token_details?.cache_read),
      cache_creation: sum(total?.input_token_details?.cache_creation, next.input_token_details?.cache_creation),
    },
    output_token_details: { reasoning: sum(total?.output_token_details?.reasoning, next.output_token_details?.reasoning) },
  };
}

/** LangChain's spelling: `'any'` is "some tool" for every integration, a string names one tool. */
function toLangChainToolChoice(choice: ModelToolChoice): string {
  if (choice === 'required') return 'any';
  return typeof choice === 'string' ? choice : choice.name;
}

/** Duck-typed, not `instanceof`: an app may hold more than one copy of `@langchain/core`. */
function isMessage(value: unknown): value is MessageLike {
  return typeof value === 'object' && value !== null && ('content' in value || 'tool_calls' in value) && !isStream(value);
}

function isStream(value: unknown): value is AsyncIterable<unknown> | ReadableStream<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (Symbol.asyncIterator in value || typeof (value as { getReader?: unknown }).getReader === 'function')
  );
}

/**
 * The items of a stream until the run is stopped. A chain that was not given the signal still
 * lets go at once: the pending read is dropped and the stream is cancelled behind it.
 */
async function* untilAborted<T>(source: AsyncIterable<T> | ReadableStream<T>, signal: AbortSignal): AsyncIterable<T> {
  const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : readerIterator(source.getReader());
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<IteratorResult<T>>((resolve) => {
    onAbort = () => resolve({ done: true, value: undefined });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  let done = false;
  try {
    while (!signal.aborted) {
      const pending = iterator.next();
      const next = await Promise.race([pending, aborted]);
      if (signal.aborted) {
        // The cancelled request fails the read it was serving; nobody waits for it any more.
        pending.catch(() => undefined);
        break;
      }
      if (next.done) {
        done = true;
        break;
      }
      yield next.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (!done) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

function readerIterator<T>(reader: ReadableStreamDefaultReader<T>): AsyncIterator<T> {
  return {
    next: () => reader.read() as Promise<IteratorResult<T>>,
    return: async () => {
      await reader.cancel();
      return { done: true, value: undefined };
    },
  };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return `an object (${value.constructor?.name ?? 'no class'}) that is neither a message nor a stream`;
}
