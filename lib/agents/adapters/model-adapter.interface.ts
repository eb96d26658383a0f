import type { Message, TokenUsage } from '@ag-ui/core';
import type { JsonSchema } from '../../interfaces/copilot-action-options.interface.js';

/** A tool as the model sees it: a backend action or a frontend tool, the same shape. */
export interface ModelTool {
  name: string;
  description: string;
  parameters: JsonSchema;
}

/** Model parameters the built-in agent passes on; each adapter maps them to its provider. */
export interface ModelSettings {
  temperature?: number;
  topP?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  seed?: number;
  /** Allow several tool calls in one step. Default: the provider's default (on). */
  parallelToolCalls?: boolean;
  /** Reasoning models: OpenAI `reasoning_effort`; Anthropic extended thinking with a token budget. */
  reasoning?: { effort?: 'low' | 'medium' | 'high'; budgetTokens?: number };
  /** Extra provider request fields, merged last (e.g. `{ response_format }`, `{ metadata }`). */
  providerOptions?: Record<string, unknown>;
}

/**
 * Which tool the model must call: `'auto'` (its choice), `'required'` (some tool), `'none'`, or
 * one named tool. The agent sets a named one only for a tool in `tools`.
 */
export type ModelToolChoice = 'auto' | 'required' | 'none' | { name: string };

export interface ModelRequest {
  system: string | undefined;
  /** The conversation, already repaired: every tool call answered, no orphan results. */
  messages: Message[];
  tools: ModelTool[];
  settings: ModelSettings;
  /** Unset: the provider's default (auto). Adapters map it to their provider's `tool_choice`. */
  toolChoice?: ModelToolChoice;
  signal: AbortSignal;
}

/** What an adapter streams back, the same for every provider. */
export type ModelStreamPart =
  | { type: 'text'; delta: string }
  | { type: 'reasoning'; delta: string }
  /** Anthropic's signature of a thinking block, needed to continue a conversation with it. */
  | { type: 'reasoning-signature'; signature: string }
  | { type: 'tool-call'; index: number; id: string; name: string }
  | { type: 'tool-call-delta'; index: number; delta: string }
  | { type: 'usage'; usage: TokenUsage }
  | { type: 'finish'; reason: string };

/**
 * One LLM provider behind one interface. Adapters take the user's own SDK client, so base URLs,
 * proxies, Azure, OpenRouter, Groq, Ollama and other compatible servers all work.
 */
export interface ModelAdapter {
  readonly provider: string;
  readonly model: string;
  stream(request: ModelRequest): AsyncIterable<ModelStreamPart>;
}
