import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { HttpAgent } from '@ag-ui/client';
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { CopilotKitModule } from 'nestjs-copilotkit';
import { AppModule } from '../../sample/app.module.js';
import { startApp, startCopilotKit, type TestApp } from '../fixtures/test-app.js';
import { postJson, runInput } from '../fixtures/sse-client.js';
import { ScriptedAgent } from '../fixtures/test-agents.js';
import { DigestService } from './digest.service.js';
import { SecuredCopilotModule } from './secured-copilot.module.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** Every README code block marked `<!-- file: path -->` is that file, verbatim, and the file is tested below. */
describe('README examples', () => {
  const marked = [...readme.matchAll(/<!-- file: (\S+) -->\n```ts\n([\s\S]*?)```/g)];

  it('embeds its examples from files that exist', () => {
    expect(marked.map((match) => match[1])).toEqual([
      'sample/app.module.ts',
      'test/readme/secured-copilot.module.ts',
      'test/readme/digest.service.ts',
    ]);
  });

  it.each(marked.map((match) => [match[1], match[2]]))('shows %s as it is', (path, block) => {
    expect(block).toBe(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8'));
  });

  it('quickstart: the sample answers through the official client', async () => {
    const server = await startApp([AppModule]);
    try {
      const agent = new HttpAgent({ url: `${server.url}/agent/default/run` });
      agent.addMessage({ id: randomUUID(), role: 'user', content: 'ping' });
      const { newMessages } = await agent.runAgent();
      expect(newMessages[0].content).toMatch(/^Demo mode: no LLM is connected\. You asked: "ping"\./);
    } finally {
      await server.close();
    }
  });

  describe('forRootAsync with a guard and a remote AG-UI agent', () => {
    let remote: TestApp;
    let server: TestApp;
    beforeAll(async () => {
      // The remote agent is another app serving this module: any AG-UI endpoint would do.
      remote = await startCopilotKit({ agents: { research: new ScriptedAgent() } });
      process.env.RESEARCH_AGENT_URL = `${remote.url}/agent/research/run`;
      server = await startApp([ConfigModule.forRoot(), SecuredCopilotModule], { mount: 'api/copilotkit' });
    });
    afterAll(async () => {
      await server.close();
      await remote.close();
      delete process.env.RESEARCH_AGENT_URL;
    });

    it('refuses callers without a token', async () => {
      expect((await postJson(`${server.url}/agent/research/run`, runInput())).status).toBe(401);
    });

    it('relays the remote agent to an authenticated caller', async () => {
      const agent = new HttpAgent({ url: `${server.url}/agent/research/run`, headers: { authorization: 'Bearer demo-token' } });
      agent.addMessage({ id: randomUUID(), role: 'user', content: 'dig' });
      const { newMessages } = await agent.runAgent();
      expect(newMessages.map((m) => m.content)).toEqual(['You said: dig.']);
    });
  });

  it('CopilotRuntime drives an agent from application code', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CopilotKitModule.forRoot({ agents: { default: new ScriptedAgent() } })],
      providers: [DigestService],
    }).compile();
    try {
      await expect(moduleRef.get(DigestService).summarize(randomUUID(), 'a long text')).resolves.toBe(
        'You said: Summarize: a long text.',
      );
    } finally {
      await moduleRef.close();
    }
  });
});
