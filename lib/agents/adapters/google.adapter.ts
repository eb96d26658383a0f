import { randomUUID } from 'node:crypto';
import type { TokenUsage } from '@ag-ui/core';
import { toGeminiRequest, toGeminiTools, toToolCallId } from './google-messages.js';
import type { ModelAdapter, ModelRequest, ModelSettings, ModelStreamPart, ModelToolChoice } from './model-adapter.interface.js';
import { withoutUndefined } from './openai.adapter.js';

/** What the adapter uses of a `GoogleGenAI` client from `@google/genai`. */
export interface GoogleClientLike {
  models: {
    generateContentStream(params: { model: string; contents: object[]; config: object }): Promise<AsyncIterable<unknown>>;
  };
}

export interface GoogleAdapterOptions {
  /** Your own client: `new GoogleGenAI({ apiKey, httpOptions: { baseUrl } })`, or one for Vertex AI. */
  client: GoogleClientLike | Promise<GoogleClientLike>;
  model: string;
}

interface ChunkLike {
  candidates?: Array<{
    content?: { parts?: PartLike[] };
    finishReason?: string;
  }>;
  usageMetadata?: GeminiUsage;
}

interface PartLike {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  functionCall?: { id?: string; name?: string; args?: Record<string, unknown> };
}

interface GeminiUsage {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
  cachedContentTokenCount?: number;
}

/**
 * Gemini (`generateContentStream` of `@google/genai`), streamed. Function calls arrive whole, so
 * each becomes a tool call with all its arguments at once; thought summaries (asked for when the
 * agent sets `reasoning`) come out as reasoning.
 */
export class GoogleAdapter implements ModelAdapter {
  readonly provider = 'google';
  readonly model: string;
  private readonly client: GoogleAdapterOptions['client'];

  constructor(options: GoogleAdapterOptions) {
    this.client = options.client;
    this.model = options.model;
  }

  async *stream(request: ModelRequest): AsyncIterable<ModelStreamPart> {
    const { settings } = request;
    const { systemInstruction, contents } = toGeminiRequest(request.system, request.messages);
    const hasTools = request.tools.length > 0;
    const config: Record<string, unknown> = {
      // Cancels the HTTP request when the run is stopped, not only the reading of it.
      abortSignal: request.signal,
      ...(systemInstruction && { systemInstruction }),
      ...(hasTools && { tools: toGeminiTools(request.tools) }),
      ...(hasTools && request.toolChoice && { toolConfig: { functionCallingConfig: toFunctionCallingConfig(request.toolChoice) } }),
      ...(settings.temperature !== undefined && { temperature: settings.temperature }),
      ...(settings.topP !== undefined && { topP: settings.topP }),
      ...(settings.maxOutputTokens !== undefined && { maxOutputTokens: settings.maxOutputTokens }),
      ...(settings.stopSequences && { stopSequences: settings.stopSequences }),
      ...(settings.seed !== undefined && { seed: settings.seed }),
      ...(settings.reasoning && { thinkingConfig: toThinkingConfig(settings.reasoning) }),
      ...settings.providerOptions,
    };
    const client = await this.client;
    const chunks = await client.models.generateContentStream({ model: this.model, contents, config });
    let index = 0;
    let usage: GeminiUsage | undefined;

    for await (const raw of chunks) {
      const chunk = raw as ChunkLike;
      // Each chunk's usage is the running total of the call, so the last one counts.
      if (chunk.usageMetadata) usage = chunk.usageMetadata;
      const candidate = chunk.candidates?.[0];
      for (const part of candidate?.content?.parts ?? []) {
        if (part.functionCall) {
          const call = part.functionCall;
          const id = toToolCallId(call.id, part.thoughtSignature, randomUUID);
          yield { type: 'tool-call', index, id, name: call.name ?? '' };
          yield { type: 'tool-call-delta', index, delta: JSON.stringify(call.args ?? {}) };
          index++;
        } else if (part.text) {
          yield part.thought ? { type: 'reasoning', delta: part.text } : { type: 'text', delta: part.text };
        }
      }
      if (candidate?.finishReason) yield { type: 'finish', reason: candidate.finishReason };
    }
    if (usage) yield { type: 'usage', usage: toUsage(this.model, usage) };
  }
}

/** `'required'` is Gemini's ANY; a named tool is ANY limited to that one function. */
function toFunctionCallingConfig(choice: ModelToolChoice): Record<string, unknown> {
  if (choice === 'auto') return { mode: 'AUTO' };
  if (choice === 'none') return { mode: 'NONE' };
  if (choice === 'required') return { mode: 'ANY' };
  return { mode: 'ANY', allowedFunctionNames: [choice.name] };
}

/**
 * Thought summaries are asked for whenever reasoning is set. A token budget is Gemini 2.5's
 * `thinkingBudget`, an effort Gemini 3's `thinkingLevel`; the API rejects both at once, so a
 * budget wins.
 */
function toThinkingConfig(reasoning: NonNullable<ModelSettings['reasoning']>): Record<string, unknown> {
  if (reasoning.budgetTokens !== undefined) return { includeThoughts: true, thinkingBudget: reasoning.budgetTokens };
  if (reasoning.effort) return { includeThoughts: true, thinkingLevel: reasoning.effort.toUpperCase() };
  return { includeThoughts: true };
}

function toUsage(model: string, usage: GeminiUsage): TokenUsage {
  // Thoughts are billed as output but counted apart from the candidates; server-side tool
  // results are input counted apart from the prompt.
  const input = (usage.promptTokenCount ?? 0) + (usage.toolUsePromptTokenCount ?? 0);
  const output = (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0);
  return withoutUndefined({
    provider: 'google',
    model,
    inputTokens: input,
    outputTokens: output,
    totalTokens: input + output,
    cachedInputTokens: usage.cachedContentTokenCount,
    reasoningTokens: usage.thoughtsTokenCount,
  });
}
