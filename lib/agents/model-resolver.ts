import { CopilotKitConfigurationError } from '../errors/copilotkit-configuration.error.js';
import { isInstalled } from '../platform/package-require.cjs';
import { AnthropicAdapter, type AnthropicClientLike } from './adapters/anthropic.adapter.js';
import { GoogleAdapter, type GoogleClientLike } from './adapters/google.adapter.js';
import type { ModelAdapter } from './adapters/model-adapter.interface.js';
import { OpenAIAdapter, type OpenAIClientLike } from './adapters/openai.adapter.js';
import { INVALID_MODEL, MISSING_MODEL_API_KEY, MISSING_MODEL_SDK, UNSUPPORTED_MODEL } from './agents.messages.js';
import { baseURLOf, MODEL_PROVIDERS, type ModelProvider } from './model-providers.js';

/**
 * `'openai:gpt-4o-mini'`, `'anthropic:claude-sonnet-4-5'`, `'google:gemini-2.5-flash'` or a host
 * that speaks OpenAI's API (`'groq:llama-3.3-70b-versatile'`, see model-providers.ts), also with a
 * `/` (`'openai/gpt-4o-mini'`, as the official CopilotKit docs spell it), to an adapter with a
 * client of the provider's SDK. Everything that can be wrong is found now, when the agent is built
 * at boot: an unknown provider, a missing key, a missing SDK. The client itself is made on first use.
 */
export function resolveModel(model: string | ModelAdapter, apiKey: string | undefined, agent: string): ModelAdapter {
  if (typeof model !== 'string') {
    if (typeof model?.stream !== 'function') throw new CopilotKitConfigurationError(INVALID_MODEL(agent));
    return model;
  }
  // The earlier separator wins: model names themselves may hold either ('openai:ft:gpt-4o:org',
  // 'openai/ft:gpt-4o:org', an OpenRouter-style 'openrouter:meta-llama/llama-3').
  const separator = model.search(/[:/]/);
  const provider = model.slice(0, separator);
  const name = model.slice(separator + 1);
  const known = Object.hasOwn(MODEL_PROVIDERS, provider) ? MODEL_PROVIDERS[provider] : undefined;
  if (separator < 1 || !name || !known) {
    throw new CopilotKitConfigurationError(UNSUPPORTED_MODEL(agent, model, Object.keys(MODEL_PROVIDERS)));
  }
  const key = apiKey ?? known.env.map((env) => process.env[env]).find(Boolean);
  if (!key) {
    throw new CopilotKitConfigurationError(MISSING_MODEL_API_KEY(agent, model, known.env.join(' or '), known.adapter));
  }
  if (!isInstalled(known.sdk)) {
    throw new CopilotKitConfigurationError(MISSING_MODEL_SDK(agent, model, known.sdk));
  }
  return createAdapter(provider, known, key, name);
}

/** The agent retries before the first token itself, so no SDK may retry underneath it. */
function createAdapter(provider: string, known: ModelProvider, apiKey: string, model: string): ModelAdapter {
  if (known.sdk === '@anthropic-ai/sdk') {
    const client = import('@anthropic-ai/sdk').then(
      ({ default: Anthropic }) => new Anthropic({ apiKey, maxRetries: 0 }) as unknown as AnthropicClientLike,
    );
    return new AnthropicAdapter({ client, model });
  }
  if (known.sdk === '@google/genai') {
    // `@google/genai` retries only when given `httpOptions.retryOptions`, so none are given. It
    // still reads GOOGLE_GEMINI_BASE_URL (and GOOGLE_GENAI_USE_VERTEXAI) from the environment.
    const client = import('@google/genai').then(({ GoogleGenAI }) => new GoogleGenAI({ apiKey }) as unknown as GoogleClientLike);
    return new GoogleAdapter({ client, model });
  }
  const baseURL = baseURLOf(known);
  const client = import('openai').then(
    ({ default: OpenAI }) =>
      new OpenAI({
        apiKey,
        maxRetries: 0,
        // Another host gets neither OPENAI_BASE_URL nor the OpenAI organization and project the
        // SDK would read from the environment.
        ...(baseURL && { baseURL, organization: null, project: null }),
      }) as unknown as OpenAIClientLike,
  );
  return new OpenAIAdapter({ client, model, provider });
}
