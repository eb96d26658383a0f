import type { TokenUsage } from '@ag-ui/core';
import { toAnthropicRequest, toAnthropicTools } from './anthropic-messages.js';
import type { ModelAdapter, ModelRequest, ModelStreamPart, ModelToolChoice } from './model-adapter.interface.js';
import { withoutUndefined } from './openai.adapter.js';

/** What the adapter uses of an `Anthropic` client from `@anthropic-ai/sdk`. */
export interface AnthropicClientLike {
  messages: {
    create(body: object, options?: { signal?: AbortSignal }): Promise<AsyncIterable<unknown>>;
  };
}

export interface AnthropicAdapterOptions {
  /** Your own client: `new Anthropic({ baseURL, apiKey })`, Bedrock or Vertex clients of the SDK. */
  client: AnthropicClientLike | Promise<AnthropicClientLike>;
  model: string;
  /** Anthropic requires a maximum; used when the agent sets none. Default 4096. */
  defaultMaxTokens?: number;
}

interface EventLike {
  type: string;
  index?: number;
  message?: { usage?: AnthropicUsage };
  content_block?: { type: string; id?: string; name?: string };
  delta?: { type?: string; text?: string; partial_json?: string; thinking?: string; signature?: string; stop_reason?: string | null };
  usage?: AnthropicUsage;
}

interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

/** Anthropic Messages, streamed, with extended thinking as reasoning when a budget is set. */
export class AnthropicAdapter implements ModelAdapter {
  readonly provider = 'anthropic';
  readonly model: string;
  private readonly client: AnthropicAdapterOptions['client'];
  private readonly defaultMaxTokens: number;

  constructor(options: AnthropicAdapterOptions) {
    this.client = options.client;
    this.model = options.model;
    this.defaultMaxTokens = options.defaultMaxTokens ?? 4096;
  }

  async *stream(request: ModelRequest): AsyncIterable<ModelStreamPart> {
    const { settings } = request;
    const budget = settings.reasoning?.budgetTokens;
    const body: Record<string, unknown> = {
      model: this.model,
      ...toAnthropicRequest(request.system, request.messages),
      max_tokens: settings.maxOutputTokens ?? Math.max(this.defaultMaxTokens, (budget ?? 0) + 1024),
      stream: true,
      ...(request.tools.length > 0 && { tools: toAnthropicTools(request.tools) }),
      ...(request.tools.length > 0 && toAnthropicToolChoice(request.toolChoice, settings.parallelToolCalls)),
      ...(settings.temperature !== undefined && { temperature: settings.temperature }),
      ...(settings.topP !== undefined && { top_p: settings.topP }),
      ...(settings.stopSequences && { stop_sequences: settings.stopSequences }),
      ...(budget !== undefined && { thinking: { type: 'enabled', budget_tokens: budget } }),
      ...settings.providerOptions,
    };
    const client = await this.client;
    const events = await client.messages.create(body, { signal: request.signal });
    const usage: AnthropicUsage = {};
    let toolIndex = 0;
    const toolIndexByBlock = new Map<number, number>();

    for await (const raw of events) {
      const event = raw as EventLike;
      switch (event.type) {
        case 'message_start':
          Object.assign(usage, event.message?.usage);
          break;
        case 'content_block_start':
          if (event.content_block?.type === 'tool_use') {
            const index = toolIndex++;
            toolIndexByBlock.set(event.index ?? -1, index);
            yield { type: 'tool-call', index, id: event.content_block.id ?? `tool-${index}`, name: event.content_block.name ?? '' };
          }
          break;
        case 'content_block_delta': {
          const delta = event.delta ?? {};
          if (delta.type === 'text_delta' && delta.text) yield { type: 'text', delta: delta.text };
          else if (delta.type === 'thinking_delta' && delta.thinking) yield { type: 'reasoning', delta: delta.thinking };
          else if (delta.type === 'signature_delta' && delta.signature) yield { type: 'reasoning-signature', signature: delta.signature };
          else if (delta.type === 'input_json_delta' && delta.partial_json) {
            const index = toolIndexByBlock.get(event.index ?? -1);
            if (index !== undefined) yield { type: 'tool-call-delta', index, delta: delta.partial_json };
          }
          break;
        }
        case 'message_delta':
          Object.assign(usage, withoutUndefined(event.usage ?? {}));
          if (event.delta?.stop_reason) yield { type: 'finish', reason: event.delta.stop_reason };
          break;
        default:
          break;
      }
    }
    yield { type: 'usage', usage: toUsage(this.model, usage) };
  }
}

function toAnthropicToolChoice(choice: ModelToolChoice | undefined, parallel: boolean | undefined): Record<string, unknown> {
  const serial = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === 'none') return { tool_choice: { type: 'none' } };
  if (choice === undefined || choice === 'auto') return parallel === false ? { tool_choice: { type: 'auto', ...serial } } : {};
  if (choice === 'required') return { tool_choice: { type: 'any', ...serial } };
  return { tool_choice: { type: 'tool', name: choice.name, ...serial } };
}

function toUsage(model: string, usage: AnthropicUsage): TokenUsage {
  const input = (usage.input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0);
  const output = usage.output_tokens ?? 0;
  return withoutUndefined({
    provider: 'anthropic',
    model,
    inputTokens: input,
    outputTokens: output,
    totalTokens: input + output,
    cachedInputTokens: usage.cache_read_input_tokens ?? undefined,
  });
}
