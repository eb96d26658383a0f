import { LLMock } from '@copilotkit/aimock';
import type { ModelStreamPart } from '../../lib/index.js';
import { BuiltInAgent, CopilotKitConfigurationError, GoogleAdapter, OpenAIAdapter } from '../../lib/index.js';

const PRESETS = [
  ['groq', 'GROQ_API_KEY', 'llama-3.3-70b-versatile'],
  ['openrouter', 'OPENROUTER_API_KEY', 'anthropic/claude-sonnet-4.5'],
  ['deepseek', 'DEEPSEEK_API_KEY', 'deepseek-chat'],
  ['together', 'TOGETHER_API_KEY', 'meta-llama/Llama-3.3-70B-Instruct-Turbo'],
  ['fireworks', 'FIREWORKS_API_KEY', 'accounts/fireworks/models/llama-v3p3-70b-instruct'],
  ['xai', 'XAI_API_KEY', 'grok-4'],
] as const;
const KEY_VARIABLES = [
  'GOOGLE_API_KEY',
  'GEMINI_API_KEY',
  'OPENAI_BASE_URL',
  'OPENAI_ORG_ID',
  ...PRESETS.flatMap(([name, env]) => [env, `${name.toUpperCase()}_BASE_URL`]),
];

describe('model strings of other providers', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    for (const variable of KEY_VARIABLES) delete process.env[variable];
  });
  afterAll(() => {
    process.env = saved;
  });

  it.each(PRESETS)("resolves '%s:<model>' with the key from %s, to an OpenAIAdapter named after the host", (provider, env, model) => {
    process.env[env] = 'key-from-env';
    for (const spelled of [`${provider}:${model}`, `${provider}/${model}`]) {
      const { adapter } = new BuiltInAgent({ model: spelled });
      expect(adapter).toBeInstanceOf(OpenAIAdapter);
      expect(adapter).toMatchObject({ provider, model });
    }
  });

  it.each(PRESETS)("fails at boot, naming the variable, when '%s:<model>' has no key in %s", (provider, env, model) => {
    const build = () => new BuiltInAgent({ model: `${provider}:${model}` });
    expect(build).toThrow(CopilotKitConfigurationError);
    expect(build).toThrow(`needs an API key: set ${env}, pass 'apiKey', or pass an OpenAIAdapter with your own client.`);
  });

  it.each(['GOOGLE_API_KEY', 'GEMINI_API_KEY'])("resolves 'google:<model>' and 'google/<model>' with the key from %s", (env) => {
    process.env[env] = 'key-from-env';
    for (const spelled of ['google:gemini-2.5-flash', 'google/gemini-2.5-flash']) {
      const { adapter } = new BuiltInAgent({ model: spelled });
      expect(adapter).toBeInstanceOf(GoogleAdapter);
      expect(adapter).toMatchObject({ provider: 'google', model: 'gemini-2.5-flash' });
    }
  });

  it("names both Gemini key variables when 'google:<model>' has no key, and takes 'apiKey' instead", () => {
    const build = () => new BuiltInAgent({ model: 'google:gemini-2.5-flash' });
    expect(build).toThrow(CopilotKitConfigurationError);
    expect(build).toThrow("set GOOGLE_API_KEY or GEMINI_API_KEY, pass 'apiKey', or pass a GoogleAdapter with your own client.");
    expect(new BuiltInAgent({ model: 'google:gemini-2.5-flash', apiKey: 'k' }).adapter).toBeInstanceOf(GoogleAdapter);
  });

  it('lists the providers it knows when given another', () => {
    expect(() => new BuiltInAgent({ model: 'mistral:mistral-large-latest', apiKey: 'k' })).toThrow(
      /with a provider of openai, anthropic, google, groq, openrouter, deepseek, together, fireworks, xai, or a ModelAdapter/,
    );
  });

  describe('through the real openai SDK', () => {
    const llm = new LLMock({ port: 0, chunkSize: 4 });
    // aimock's journal redacts credentials; the mount sees them as sent.
    const authorizations: Array<string | undefined> = [];
    beforeAll(async () => {
      await llm.start();
      llm.mount('/v1', {
        handleRequest: async (request) => {
          authorizations.push(request.headers.authorization);
          return false;
        },
      });
    });
    afterAll(() => llm.stop());

    it("sends a Groq model to GROQ_BASE_URL with GROQ_API_KEY, and none of OpenAI's own settings", async () => {
      llm.onMessage('hello', { content: 'Hi from Groq.' });
      process.env.GROQ_API_KEY = 'gsk-test';
      process.env.GROQ_BASE_URL = `${llm.url}/v1`;
      process.env.OPENAI_BASE_URL = 'http://127.0.0.1:1/not-here';
      process.env.OPENAI_ORG_ID = 'org-should-stay-home';
      const { adapter } = new BuiltInAgent({ model: 'groq:llama-3.3-70b-versatile' });

      const parts: ModelStreamPart[] = [];
      const request = { system: 'Be brief.', messages: [{ id: 'u', role: 'user' as const, content: 'hello' }], tools: [], settings: {} };
      for await (const part of adapter.stream({ ...request, signal: new AbortController().signal })) parts.push(part);

      const text = parts.flatMap((part) => (part.type === 'text' ? [part.delta] : [])).join('');
      expect(text).toBe('Hi from Groq.');
      expect(parts).toContainEqual({ type: 'finish', reason: 'stop' });
      // Usage reports say which host served the call, for billing per host.
      expect(parts.find((part) => part.type === 'usage')).toMatchObject({ usage: { provider: 'groq', model: 'llama-3.3-70b-versatile' } });
      const [sent] = llm.getRequests();
      expect(sent.path).toBe('/v1/chat/completions');
      expect(authorizations).toEqual(['Bearer gsk-test']);
      expect(sent.headers['openai-organization']).toBeUndefined();
      expect(sent.body).toMatchObject({ model: 'llama-3.3-70b-versatile', stream: true });
    });
  });
});
