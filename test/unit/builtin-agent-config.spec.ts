import { BuiltInAgent, CopilotKitConfigurationError, OpenAIAdapter } from '../../lib/index.js';

describe('BuiltInAgent configuration', () => {
  const saved = { openai: process.env.OPENAI_API_KEY, anthropic: process.env.ANTHROPIC_API_KEY };
  beforeEach(() => {
    delete process.env.OPENAI_API_KEY;
    delete process.env.ANTHROPIC_API_KEY;
  });
  afterAll(() => {
    if (saved.openai !== undefined) process.env.OPENAI_API_KEY = saved.openai;
    if (saved.anthropic !== undefined) process.env.ANTHROPIC_API_KEY = saved.anthropic;
  });

  it.each([
    [{ model: 'openai:gpt-4o-mini' }, /needs an API key: set OPENAI_API_KEY, pass 'apiKey', or pass an OpenAIAdapter/],
    [{ model: 'anthropic:claude-x' }, /needs an API key: set ANTHROPIC_API_KEY/],
    [
      { model: 'gemini:pro', apiKey: 'k' },
      /must be '<provider>:<model>' \(or '<provider>\/<model>'\) with a provider of openai, anthropic, google, groq/,
    ],
    [{ model: 'openai:gpt-4o', apiKey: 'k', maxSteps: 0 }, /'maxSteps' must be a positive integer/],
    [{}, /'model' is required/],
  ])('fails when it is built, not at the first request: %j', (options, message) => {
    expect(() => new BuiltInAgent(options as never)).toThrow(CopilotKitConfigurationError);
    expect(() => new BuiltInAgent(options as never)).toThrow(message);
  });

  it('takes the key from the environment, or from the options', () => {
    process.env.OPENAI_API_KEY = 'sk-env';
    expect(new BuiltInAgent({ model: 'openai:gpt-4o-mini' }).adapter).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini' });
    expect(new BuiltInAgent({ model: 'anthropic:claude-x', apiKey: 'sk-ant' }).adapter).toMatchObject({
      provider: 'anthropic',
      model: 'claude-x',
    });
  });

  it('needs no key when given an adapter with its own client', () => {
    const adapter = new OpenAIAdapter({
      client: { chat: { completions: { create: async () => (async function* () {})() } } },
      model: 'local-llama',
    });
    const agent = new BuiltInAgent({ model: adapter, description: 'Local model' });
    expect(agent.adapter).toBe(adapter);
    expect(agent.description).toBe('Local model');
  });
});
