import { Logger } from '@nestjs/common';
import type { TokenUsage } from '@ag-ui/core';
import { CopilotKitConfigurationError } from '../../errors/copilotkit-configuration.error.js';
import type { ModelAdapter, ModelRequest, ModelStreamPart, ModelToolChoice } from './model-adapter.interface.js';
import { toOpenAIMessages, toOpenAITools, withoutUndefined } from './openai-messages.js';
import { fromResponsesStream, RESPONSES_UNSUPPORTED_SETTINGS, toResponsesBody } from './openai-responses.js';
import { INVALID_OPENAI_API, RESPONSES_SETTING_IGNORED, RESPONSES_WITHOUT_CLIENT_SUPPORT } from '../agents.messages.js';

export { withoutUndefined };

/** What the adapter uses of an `OpenAI` client from the `openai` package (or a compatible one). */
export interface OpenAIClientLike {
  chat: {
    completions: {
      create(body: object, options?: { signal?: AbortSignal }): Promise<AsyncIterable<unknown>>;
    };
  };
  /** Needed for `api: 'responses'`; the `openai` client has it in every version this package supports. */
  responses?: {
    create(body: object, options?: { signal?: AbortSignal }): Promise<AsyncIterable<unknown>>;
  };
}

export interface OpenAIAdapterOptions {
  /** Your own client: `new OpenAI({ baseURL, apiKey })`, Azure, OpenRouter, Groq, Ollama, vLLM... */
  client: OpenAIClientLike | Promise<OpenAIClientLike>;
  model: string;
  /** Who serves the model, for telemetry and usage (e.g. `'groq'` for Groq's endpoint). Default `'openai'`. */
  provider?: string;
  /**
   * `'chat'` (default): Chat Completions, which every OpenAI-compatible server speaks.
   * `'responses'`: the Responses API, for OpenAI's reasoning models (their reasoning summaries,
   * and their encrypted reasoning carried across tool calls). Called stateless (`store: false`).
   */
  api?: 'chat' | 'responses';
}

const logger = new Logger('OpenAIAdapter');

interface ChunkLike {
  choices?: Array<{
    delta?: {
      content?: string | null;
      reasoning_content?: string | null;
      reasoning?: string | null;
      tool_calls?: Array<{ index: number; id?: string; function?: { name?: string; arguments?: string } }>;
    };
    finish_reason?: string | null;
  }>;
  usage?: {
    prompt_tokens?: number;
    completion_tokens?: number;
    total_tokens?: number;
    prompt_tokens_details?: { cached_tokens?: number };
    completion_tokens_details?: { reasoning_tokens?: number };
  } | null;
}

/**
 * OpenAI Chat Completions (and every server that speaks it), streamed, or OpenAI's Responses API
 * with `api: 'responses'`. Reasoning text that compatible servers stream (`reasoning_content`,
 * `reasoning`) comes out as reasoning.
 */
export class OpenAIAdapter implements ModelAdapter {
  readonly provider: string;
  readonly model: string;
  private readonly client: OpenAIAdapterOptions['client'];
  readonly api: 'chat' | 'responses';
  /** Settings the Responses API has no field for, warned about once. */
  private readonly ignored = new Set<string>();

  constructor(options: OpenAIAdapterOptions) {
    this.client = options.client;
    this.model = options.model;
    this.provider = options.provider ?? 'openai';
    this.api = options.api ?? 'chat';
    if (this.api !== 'chat' && this.api !== 'responses') {
      throw new CopilotKitConfigurationError(INVALID_OPENAI_API(this.model, options.api));
    }
    // A client given as a promise is checked when it resolves, on the first call.
    const client = options.client as (Partial<OpenAIClientLike> & { then?: unknown }) | undefined;
    if (this.api === 'responses' && client && typeof client.then !== 'function') assertResponses(client, this.model);
  }

  stream(request: ModelRequest): AsyncIterable<ModelStreamPart> {
    return this.api === 'responses' ? this.streamResponses(request) : this.streamChat(request);
  }

  private async *streamResponses(request: ModelRequest): AsyncIterable<ModelStreamPart> {
    for (const setting of RESPONSES_UNSUPPORTED_SETTINGS) {
      if (request.settings[setting] === undefined || this.ignored.has(setting)) continue;
      this.ignored.add(setting);
      logger.warn(RESPONSES_SETTING_IGNORED(this.model, setting));
    }
    const client = await this.client;
    assertResponses(client, this.model);
    const events = await client.responses.create(toResponsesBody(this.model, request), { signal: request.signal });
    yield* fromResponsesStream(events, this.provider, this.model);
  }

  private async *streamChat(request: ModelRequest): AsyncIterable<ModelStreamPart> {
    const { settings } = request;
    const body: Record<string, unknown> = {
      model: this.model,
      messages: toOpenAIMessages(request.system, request.messages),
      stream: true,
      stream_options: { include_usage: true },
      ...(request.tools.length > 0 && { tools: toOpenAITools(request.tools) }),
      ...(request.tools.length > 0 && settings.parallelToolCalls !== undefined && { parallel_tool_calls: settings.parallelToolCalls }),
      ...(request.tools.length > 0 && request.toolChoice && { tool_choice: toOpenAIToolChoice(request.toolChoice) }),
      ...(settings.temperature !== undefined && { temperature: settings.temperature }),
      ...(settings.topP !== undefined && { top_p: settings.topP }),
      ...(settings.stopSequences && { stop: settings.stopSequences }),
      ...(settings.seed !== undefined && { seed: settings.seed }),
      ...(settings.reasoning?.effort && { reasoning_effort: settings.reasoning.effort }),
      // Reasoning models take only max_completion_tokens; others and most compatible servers take max_tokens.
      ...(settings.maxOutputTokens !== undefined &&
        (settings.reasoning ? { max_completion_tokens: settings.maxOutputTokens } : { max_tokens: settings.maxOutputTokens })),
      ...settings.providerOptions,
    };
    const client = await this.client;
    const chunks = await client.chat.completions.create(body, { signal: request.signal });
    const started = new Map<number, { id?: string; name?: string; pending: string; open: boolean }>();

    for await (const raw of chunks) {
      const chunk = raw as ChunkLike;
      if (chunk.usage) yield { type: 'usage', usage: toUsage(this.provider, this.model, chunk.usage) };
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      const delta = choice.delta ?? {};
      const reasoning = delta.reasoning_content ?? delta.reasoning;
      if (reasoning) yield { type: 'reasoning', delta: reasoning };
      if (delta.content) yield { type: 'text', delta: delta.content };
      for (const call of delta.tool_calls ?? []) {
        const state = started.get(call.index) ?? { pending: '', open: false };
        started.set(call.index, state);
        state.id ??= call.id;
        state.name ??= call.function?.name;
        const args = call.function?.arguments ?? '';
        // Some servers send the name after the id, or everything in one chunk: start once both are known.
        if (!state.open && state.id && state.name) {
          state.open = true;
          yield { type: 'tool-call', index: call.index, id: state.id, name: state.name };
          if (state.pending) yield { type: 'tool-call-delta', index: call.index, delta: state.pending };
        }
        if (!args) continue;
        if (state.open) yield { type: 'tool-call-delta', index: call.index, delta: args };
        else state.pending += args;
      }
      if (choice.finish_reason) yield { type: 'finish', reason: choice.finish_reason };
    }
  }
}

function assertResponses(
  client: Partial<OpenAIClientLike>,
  model: string,
): asserts client is OpenAIClientLike & Required<Pick<OpenAIClientLike, 'responses'>> {
  if (typeof client.responses?.create !== 'function') throw new CopilotKitConfigurationError(RESPONSES_WITHOUT_CLIENT_SUPPORT(model));
}

function toOpenAIToolChoice(choice: ModelToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

function toUsage(provider: string, model: string, usage: NonNullable<ChunkLike['usage']>): TokenUsage {
  return withoutUndefined({
    provider,
    model,
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    totalTokens: usage.total_tokens,
    cachedInputTokens: usage.prompt_tokens_details?.cached_tokens,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens,
  });
}
