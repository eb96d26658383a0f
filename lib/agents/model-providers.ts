/** A provider a model string can name: where its key comes from, which SDK and adapter serve it. */
export interface ModelProvider {
  /** Environment variables holding the key, the first set one wins. */
  env: readonly string[];
  sdk: 'openai' | '@anthropic-ai/sdk' | '@google/genai';
  adapter: 'OpenAIAdapter' | 'AnthropicAdapter' | 'GoogleAdapter';
  /** OpenAI-compatible hosts only: their Chat Completions base URL... */
  baseURL?: string;
  /** ...and the variable that replaces it, for a proxy, a regional endpoint or a local mock. */
  baseURLEnv?: string;
}

/**
 * Hosts that speak OpenAI Chat Completions closely enough for the `openai` SDK and the
 * `OpenAIAdapter` as they are (streamed tool calls, `tool_choice`, `stream_options`). Mistral is
 * not here: its API rejects `stream_options`.
 */
const OPENAI_COMPATIBLE = {
  groq: { env: 'GROQ_API_KEY', baseURL: 'https://api.groq.com/openai/v1', baseURLEnv: 'GROQ_BASE_URL' },
  openrouter: { env: 'OPENROUTER_API_KEY', baseURL: 'https://openrouter.ai/api/v1', baseURLEnv: 'OPENROUTER_BASE_URL' },
  deepseek: { env: 'DEEPSEEK_API_KEY', baseURL: 'https://api.deepseek.com', baseURLEnv: 'DEEPSEEK_BASE_URL' },
  together: { env: 'TOGETHER_API_KEY', baseURL: 'https://api.together.xyz/v1', baseURLEnv: 'TOGETHER_BASE_URL' },
  fireworks: { env: 'FIREWORKS_API_KEY', baseURL: 'https://api.fireworks.ai/inference/v1', baseURLEnv: 'FIREWORKS_BASE_URL' },
  xai: { env: 'XAI_API_KEY', baseURL: 'https://api.x.ai/v1', baseURLEnv: 'XAI_BASE_URL' },
} as const;

export const MODEL_PROVIDERS: Readonly<Record<string, ModelProvider>> = {
  openai: { env: ['OPENAI_API_KEY'], sdk: 'openai', adapter: 'OpenAIAdapter' },
  anthropic: { env: ['ANTHROPIC_API_KEY'], sdk: '@anthropic-ai/sdk', adapter: 'AnthropicAdapter' },
  // The names `@google/genai` itself reads, in its order.
  google: { env: ['GOOGLE_API_KEY', 'GEMINI_API_KEY'], sdk: '@google/genai', adapter: 'GoogleAdapter' },
  ...Object.fromEntries(
    Object.entries(OPENAI_COMPATIBLE).map(([name, preset]) => [
      name,
      { ...preset, env: [preset.env], sdk: 'openai', adapter: 'OpenAIAdapter' } satisfies ModelProvider,
    ]),
  ),
};

/** The base URL of an OpenAI-compatible host, after its override variable. */
export function baseURLOf(provider: ModelProvider): string | undefined {
  return (provider.baseURLEnv && process.env[provider.baseURLEnv]?.trim()) || provider.baseURL;
}
