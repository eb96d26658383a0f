import { randomUUID } from 'node:crypto';
import { HttpAgent } from '@ag-ui/client';
import { BasicAgent } from '../../lib/index.js';
import { LlmMock, type Provider } from '../fixtures/llm-mock.js';
import { startApp, startCopilotKit, type TestApp } from '../fixtures/test-app.js';

const ENV = ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL'] as const;

/** The official docs' examples, unchanged: the model by name and the key from the environment, against aimock. */
describe("the official docs' configuration, run unchanged", () => {
  const llm = new LlmMock();
  const saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]));

  beforeAll(async () => {
    await llm.start();
    Object.assign(process.env, {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: `${llm.server.url}/v1`,
      ANTHROPIC_API_KEY: 'sk-ant-test',
      ANTHROPIC_BASE_URL: llm.server.url,
    });
  });
  afterAll(async () => {
    for (const name of ENV) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    await llm.stop();
  });
  beforeEach(() => llm.reset());

  async function ask(server: TestApp, text: string): Promise<string[]> {
    const agent = new HttpAgent({ url: `${server.url}/agent/default/run` });
    agent.addMessage({ id: randomUUID(), role: 'user', content: text });
    const { newMessages } = await agent.runAgent();
    return newMessages.map((message) => String(message.content));
  }

  it('README: BasicAgent with a provider/model string and a prompt answers through the official client', async () => {
    llm.server.onMessage('ping', { content: 'pong' });
    // Imported here: the module builds its agent when it is loaded, from the environment.
    const { DocsSpellingModule } = await import('../readme/docs-spelling.module.js');
    const server = await startApp([DocsSpellingModule]);
    try {
      expect(await ask(server, 'ping')).toEqual(['pong']);
      const [call] = llm.requests();
      expect(call.body).toMatchObject({ model: 'gpt-4o', temperature: 0.7 });
      expect(call.body.messages[0]).toMatchObject({ role: 'system' });
      expect(call.body.messages[0].content).toContain('You are a helpful assistant.');
    } finally {
      await server.close();
    }
    // The module is compiled on its first import, which on a loaded machine takes longer than jest's 5 s default.
  }, 30_000);

  it.each<[Provider, string, string]>([
    ['openai', 'openai/gpt-4o-mini', 'gpt-4o-mini'],
    ['anthropic', 'anthropic/claude-sonnet-4.5', 'claude-sonnet-4.5'],
  ])('%s: the model %s reaches the provider as %s, with the prompt as its system prompt', async (_provider, model, name) => {
    llm.server.onMessage('hi', { content: 'Hello.' });
    const server = await startCopilotKit({ agents: { default: new BasicAgent({ model, prompt: 'Answer like a pirate.' }) } });
    try {
      expect(await ask(server, 'hi')).toEqual(['Hello.']);
      const [call] = llm.requests();
      expect((call.body as unknown as { model: string }).model).toBe(name);
      expect(JSON.stringify(call.body)).toContain('Answer like a pirate.');
    } finally {
      await server.close();
    }
  });
});
