import { CopilotKitConfigurationError } from '../errors/copilotkit-configuration.error.js';
import { isInstalled } from '../platform/package-require.cjs';
import { AnthropicAdapter, type AnthropicClientLike } from './adapters/anthropic.adapter.js';
import type { ModelAdapter } from './adapters/model-adapter.interface.js';
import { OpenAIAdapter, type OpenAIClientLike } from './adapters/openai.adapter.js';
import { INVALID_MODEL, MISSING_MODEL_API_KEY, MISSING_MODEL_SDK, UNSUPPORTED_MODEL } from './agents.messages.js';

const PROVIDERS = {
  openai: { env: 'OPENAI_API_KEY', sdk: 'openai', adapter: 'OpenAIAdapter' },
  anthropic: { env: 'ANTHROPIC_API_KEY', sdk: '@anthropic-ai/sdk', adapter: 'AnthropicAdapter' },
} as const;

/**
 * `'openai:gpt-4o-mini'` or `'anthropic:claude-sonnet-4-5'` (or `'openai/gpt-4o-mini'`, as the
 * official CopilotKit docs spell it) to an adapter with a client of the provider's SDK. Everything that can be wrong is found now, when the agent is built at boot: an
 * unknown provider, a missing key, a missing SDK. The client itself is made on first use.
 */
export function resolveModel(model: string | ModelAdapter, apiKey: string | undefined, agent: string): ModelAdapter {
  if (typeof model !== 'string') {
    if (typeof model?.stream !== 'function') throw new CopilotKitConfigurationError(INVALID_MODEL(agent));
    return model;
  }
  // The earlier separator wins: model names themselves may hold either ('openai:ft:gpt-4o:org',
  // 'openai/ft:gpt-4o:org', an OpenRouter-style 'openai:meta-llama/llama-3').
  const separator = model.search(/[:/]/);
  const provider = model.slice(0, separator) as keyof typeof PROVIDERS;
  const name = model.slice(separator + 1);
  const known = Object.hasOwn(PROVIDERS, provider) ? PROVIDERS[provider] : undefined;
  if (separator < 1 || !name || !known) {
    throw new CopilotKitConfigurationError(UNSUPPORTED_MODEL(agent, model));
  }
  const key = apiKey ?? process.env[known.env];
  if (!key) {
    throw new CopilotKitConfigurationError(MISSING_MODEL_API_KEY(agent, model, known.env, known.adapter));
  }
  if (!isInstalled(known.sdk)) {
    throw new CopilotKitConfigurationError(MISSING_MODEL_SDK(agent, model, known.sdk));
  }
  // The agent retries before the first token itself, so the SDK must not retry underneath it.
  if (provider === 'openai') {
    const client = import('openai').then(
      ({ default: OpenAI }) => new OpenAI({ apiKey: key, maxRetries: 0 }) as unknown as OpenAIClientLike,
    );
    return new OpenAIAdapter({ client, model: name });
  }
  const client = import('@anthropic-ai/sdk').then(
    ({ default: Anthropic }) => new Anthropic({ apiKey: key, maxRetries: 0 }) as unknown as AnthropicClientLike,
  );
  return new AnthropicAdapter({ client, model: name });
}
