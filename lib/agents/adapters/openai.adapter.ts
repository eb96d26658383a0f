import type { TokenUsage } from '@ag-ui/core';
import type { ModelAdapter, ModelRequest, ModelStreamPart, ModelToolChoice } from './model-adapter.interface.js';
import { toOpenAIMessages, toOpenAITools } from './openai-messages.js';

/** What the adapter uses of an `OpenAI` client from the `openai` package (or a compatible one). */
export interface OpenAIClientLike {
  chat: {
    completions: {
      create(body: object, options?: { signal?: AbortSignal }): Promise<AsyncIterable<unknown>>;
    };
  };
}

export interface OpenAIAdapterOptions {
  /** Your own client: `new OpenAI({ baseURL, apiKey })`, Azure, OpenRouter, Groq, Ollama, vLLM... */
  client: OpenAIClientLike | Promise<OpenAIClientLike>;
  model: string;
}

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
 * OpenAI Chat Completions (and every server that speaks it), streamed. Reasoning text that
 * compatible servers stream (`reasoning_content`, `reasoning`) comes out as reasoning.
 */
export class OpenAIAdapter implements ModelAdapter {
  readonly provider = 'openai';
  readonly model: string;
  private readonly client: OpenAIAdapterOptions['client'];

  constructor(options: OpenAIAdapterOptions) {
    this.client = options.client;
    this.model = options.model;
  }

  async *stream(request: ModelRequest): AsyncIterable<ModelStreamPart> {
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
      if (chunk.usage) yield { type: 'usage', usage: toUsage(this.model, chunk.usage) };
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

function toOpenAIToolChoice(choice: ModelToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

function toUsage(model: string, usage: NonNullable<ChunkLike['usage']>): TokenUsage {
  return withoutUndefined({
    provider: 'openai',
    model,
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    totalTokens: usage.total_tokens,
    cachedInputTokens: usage.prompt_tokens_details?.cached_tokens,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens,
  });
}

export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}
