import { BasicAgent, BuiltInAgent, CopilotKitConfigurationError } from '../../lib/index.js';

/** The official CopilotKit v2 docs' spelling of the built-in agent's configuration. */
describe("BuiltInAgent in the official docs' spelling", () => {
  it.each([
    ['openai/gpt-4o', 'openai', 'gpt-4o'],
    ['anthropic/claude-sonnet-4.5', 'anthropic', 'claude-sonnet-4.5'],
    // The first separator splits, so model names may hold either character.
    ['openai/ft:gpt-4o-mini:acme:1', 'openai', 'ft:gpt-4o-mini:acme:1'],
    ['openai:meta-llama/llama-3.1', 'openai', 'meta-llama/llama-3.1'],
  ])("takes the model '%s' as %s '%s'", (model, provider, name) => {
    expect(new BuiltInAgent({ model, apiKey: 'sk-test' }).adapter).toMatchObject({ provider, model: name });
  });

  it.each(['gemini/gemini-2.5-pro', 'openai/', '/gpt-4o', 'constructor:x', 'toString/x'])(
    "still fails the boot for the model '%s', naming both forms",
    (model) => {
      expect(() => new BuiltInAgent({ model, apiKey: 'sk-test' })).toThrow(CopilotKitConfigurationError);
      expect(() => new BuiltInAgent({ model, apiKey: 'sk-test' })).toThrow(
        /must be '<provider>:<model>' \(or '<provider>\/<model>'\) with a provider of openai, anthropic, google/,
      );
    },
  );

  it("refuses 'prompt' and 'instructions' together, and a prompt that is no string", () => {
    expect(() => new BuiltInAgent({ model: 'openai/gpt-4o', apiKey: 'k', prompt: 'a', instructions: 'b' })).toThrow(
      /give 'instructions' or 'prompt' \(its alias, as the official CopilotKit docs call it\), not both/,
    );
    expect(() => new BuiltInAgent({ model: 'openai/gpt-4o', apiKey: 'k', prompt: 42 as never })).toThrow(/'prompt' must be a string/);
    expect(() => new BuiltInAgent({ model: 'openai/gpt-4o', apiKey: 'k', instructions: {} as never })).toThrow(
      /'instructions' must be a string/,
    );
  });

  it('exports BasicAgent as the very same class', () => {
    const agent = new BasicAgent({ model: 'openai/gpt-4o', apiKey: 'k' });
    expect(BasicAgent).toBe(BuiltInAgent);
    expect(agent).toBeInstanceOf(BuiltInAgent);
    expect(new BuiltInAgent({ model: 'openai:gpt-4o', apiKey: 'k' })).toBeInstanceOf(BasicAgent);
  });
});
