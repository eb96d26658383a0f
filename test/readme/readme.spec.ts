import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { HttpAgent } from '@ag-ui/client';
import { ConfigModule } from '@nestjs/config';
import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CopilotKitModule } from 'nestjs-copilotkit';
import { startApp, startCopilotKit, type TestApp } from '../fixtures/test-app.js';
import { postJson, postSse, runInput } from '../fixtures/sse-client.js';
import { ScriptedAgent } from '../fixtures/test-agents.js';
import { ActionCallingAgent } from '../fixtures/action-calling.agent.js';
import { HeaderAuthGuard } from '../fixtures/task-board/auth.js';
import { AssistantAgent } from './assistant.agent.js';
import { SupportAgent } from './support.agent.js';
import { QuietSupportAgent } from './quiet-support.agent.js';
import { DurableCopilotModule } from './durable-copilot.module.js';
import { ScaledCopilotModule } from './scaled-copilot.module.js';
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LlmMock } from '../fixtures/llm-mock.js';
import { TodoService } from './todo.service.js';
import { DigestService } from './digest.service.js';
import { SecuredCopilotModule } from './secured-copilot.module.js';
import { OpsModule } from './ops.module.js';
import { AuditHooks, AuditLog } from './audit.hooks.js';
import { ConfiguredCopilotModule } from './configured-copilot.module.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** Every README code block marked `<!-- file: path -->` is that file, verbatim, and the file is tested below. */
describe('README examples', () => {
  const marked = [...readme.matchAll(/<!-- file: (\S+) -->\n```ts\n([\s\S]*?)```/g)];

  it('embeds its examples from files that exist', () => {
    expect(marked.map((match) => match[1])).toEqual([
      'test/readme/quickstart.module.ts',
      // Built, started and driven in each consumer app by test/consumers/consumers.spec.ts.
      'test/consumers/app/src/main.ts',
      'test/consumers/app/src/platform.fastify.ts',
      'test/readme/configured-copilot.module.ts',
      'test/readme/secured-copilot.module.ts',
      'test/readme/ops.module.ts',
      'test/readme/support.agent.ts',
      'test/readme/gemini-copilot.module.ts',
      'test/readme/langchain.agent.ts',
      'test/readme/docs-spelling.module.ts',
      'test/readme/todo.service.ts',
      'test/readme/action-list.module.ts',
      'test/readme/assistant.agent.ts',
      'test/readme/quiet-support.agent.ts',
      'test/readme/durable-copilot.module.ts',
      'test/readme/digest.service.ts',
      'test/readme/audit.hooks.ts',
      // Both run in test/e2e/sse-routes.e2e.spec.ts, under both official clients and both platforms.
      'test/readme/stream-metrics.interceptor.ts',
      'test/readme/envelope.interceptor.ts',
      'test/readme/scaled-copilot.module.ts',
    ]);
  });

  it.each(marked.map((match) => [match[1], match[2]]))('shows %s as it is', (path, block) => {
    expect(block).toBe(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8'));
  });

  it('quickstart: the built-in agent answers through the official client', async () => {
    const llm = await new LlmMock().start();
    const saved = { ...process.env };
    Object.assign(process.env, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${llm.server.url}/v1` });
    llm.server.onMessage('ping', { content: 'pong' });
    // Imported here: the module builds its agent when it is loaded, from the environment.
    const { AppModule } = await import('./quickstart.module.js');
    const server = await startApp([AppModule]);
    try {
      const agent = new HttpAgent({ url: `${server.url}/agent/default/run` });
      agent.addMessage({ id: randomUUID(), role: 'user', content: 'ping' });
      const { newMessages } = await agent.runAgent();
      expect(newMessages.map((m) => m.content)).toEqual(['pong']);
      expect(llm.requests()[0].body.messages[0].content).toContain('You are a helpful assistant.');
    } finally {
      await server.close();
      await llm.stop();
      process.env = saved;
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

  describe('several runtimes, one guarded', () => {
    const llm = new LlmMock();
    let server: TestApp;
    let restoreEnv: () => void;
    beforeAll(async () => {
      restoreEnv = pointOpenAIAt(await llm.start());
      server = await startApp([OpsModule]);
    });
    afterAll(async () => {
      await server.close();
      await llm.stop();
      restoreEnv();
    });

    it('offers each runtime’s assistant only the actions tagged for it, behind that runtime’s guard', async () => {
      const offered = async (path: string, headers: Record<string, string> = {}) => {
        llm.reset();
        llm.server.onMessage('status', { content: 'All good.' });
        const { status } = await postSse(`${server.origin}/${path}/agent/assistant/run`, runInput({ text: 'status?' }), { headers });
        return { status, tools: llm.requests()[0]?.body.tools?.map((tool) => tool.function.name) };
      };
      expect(await offered('copilotkit')).toEqual({ status: 200, tools: ['status'] });
      expect((await offered('admin')).status).toBe(401);
      expect(await offered('admin', { authorization: 'Bearer demo-token' })).toEqual({ status: 200, tools: ['restartWorkers', 'status'] });
    });
  });

  describe('@CopilotAction and @CopilotAgent', () => {
    @Module({ providers: [TodoService, AssistantAgent] })
    class TodoModule {}
    let server: TestApp;
    beforeAll(async () => {
      server = await startApp([
        TodoModule,
        CopilotKitModule.forRoot({ agents: { default: new ActionCallingAgent() }, guards: [HeaderAuthGuard] }),
      ]);
    });
    afterAll(() => server.close());

    async function answer(agent: string, text: string, user: string) {
      const { events } = await postSse(`${server.url}/agent/${agent}/run`, runInput({ text }), { headers: { 'x-user': user } });
      return events;
    }

    it('runs the action with a validated DTO in the caller identity', async () => {
      const events = await answer(
        'default',
        JSON.stringify({ calls: [{ name: 'add', args: { title: 'Ship it', priority: 'high' } }] }),
        'ann',
      );
      expect(events.find((e) => e.type === 'TOOL_CALL_RESULT')?.content).toBe('{"added":"Ship it","total":1}');
      expect(events.find((e) => e.type === 'STATE_SNAPSHOT')?.snapshot).toEqual({ todos: 1 });
    });

    it('keeps the guarded action from those its guard refuses', async () => {
      const events = await answer('default', JSON.stringify({ calls: [{ name: 'clear' }] }), 'ann');
      expect(JSON.parse(events.find((e) => e.type === 'TOOL_CALL_RESULT')?.content).error).toBe('forbidden');
    });

    it('serves the agent class, which sees only the actions the caller may use', async () => {
      const text = (events: Array<Record<string, any>>) => events.find((e) => e.type === 'TEXT_MESSAGE_CONTENT')?.delta;
      expect(text(await answer('assistant', 'hi', 'ann'))).toBe('I can: add. There are 1 todos.');
      expect(text(await answer('assistant', 'hi', 'root:admin'))).toBe('I can: add, clear. There are 1 todos.');
    });
  });

  describe('the built-in agent as a class', () => {
    const llm = new LlmMock();
    let server: TestApp;
    @Module({ providers: [TodoService, SupportAgent] })
    class SupportModule {}

    let restoreEnv: () => void;

    beforeAll(async () => {
      // The model string path, end to end: the key from the environment, the real openai client
      // (which also reads OPENAI_BASE_URL) pointed at aimock.
      restoreEnv = pointOpenAIAt(await llm.start());
      server = await startApp([
        ConfigModule.forRoot({ isGlobal: true }),
        SupportModule,
        CopilotKitModule.forRoot({ guards: [HeaderAuthGuard] }),
      ]);
    });
    afterAll(async () => {
      await server?.close();
      await llm.stop();
      restoreEnv();
    });

    it('calls the model with the instructions and the actions, runs them, and answers', async () => {
      llm.server.on(
        { userMessage: 'remind', hasToolResult: false },
        { toolCalls: [{ name: 'add', arguments: { title: 'Buy milk', priority: 'low' } }] },
      );
      llm.server.on({ userMessage: 'remind', hasToolResult: true }, { content: 'Added "Buy milk".' });
      const { events } = await postSse(`${server.url}/agent/support/run`, runInput({ text: 'remind me to buy milk' }), {
        headers: { 'x-user': 'ann' },
      });
      expect(
        events
          .filter((e) => e.type === 'TEXT_MESSAGE_CONTENT')
          .map((e) => e.delta)
          .join(''),
      ).toBe('Added "Buy milk".');
      expect(events.find((e) => e.type === 'TOOL_CALL_RESULT')?.content).toBe('{"added":"Buy milk","total":1}');
      const [first] = llm.requests();
      expect(first.body.messages[0].content).toContain('You help people manage their todos.');
      expect(first.body.tools?.map((tool) => tool.function.name)).toEqual(['add']);
    });
  });

  describe('AG-UI middleware on an agent class', () => {
    const llm = new LlmMock();
    let server: TestApp;
    let restoreEnv: () => void;
    @Module({ providers: [TodoService, QuietSupportAgent] })
    class QuietModule {}

    beforeAll(async () => {
      restoreEnv = pointOpenAIAt(await llm.start());
      server = await startApp([QuietModule, CopilotKitModule.forRoot({ guards: [HeaderAuthGuard] })]);
    });
    afterAll(async () => {
      await server?.close();
      await llm.stop();
      restoreEnv();
    });

    it('runs the action, tells the model the date, and streams no tool call', async () => {
      llm.server.on(
        { userMessage: 'remind', hasToolResult: false },
        { toolCalls: [{ name: 'add', arguments: { title: 'Buy milk', priority: 'low' } }] },
      );
      llm.server.on({ userMessage: 'remind', hasToolResult: true }, { content: 'Added "Buy milk".' });
      const input = runInput({ text: 'remind me to buy milk' });
      const headers = { 'x-user': 'ann' };
      const { events } = await postSse(`${server.url}/agent/quiet/run`, input, { headers });
      const types = events.map((e) => e.type);
      expect(types.filter((type) => type.startsWith('TOOL_CALL'))).toEqual([]);
      expect(types).toContain('STATE_SNAPSHOT');
      expect(events.find((e) => e.type === 'TEXT_MESSAGE_CONTENT')).toBeDefined();
      const [first, second] = llm.requests();
      expect(first.body.messages[0].content).toContain(new Date().toDateString());
      expect(second.body.messages.some((message) => message.role === 'tool')).toBe(true);
      const replay = await postSse(`${server.url}/agent/quiet/connect`, { threadId: input.threadId }, { headers });
      expect(replay.events.map((e) => e.type).filter((type) => type.startsWith('TOOL_CALL'))).toEqual([]);
    });
  });

  describe('plain action lists, per tenant', () => {
    const llm = new LlmMock();
    let server: TestApp;
    let restoreEnv: () => void;

    beforeAll(async () => {
      restoreEnv = pointOpenAIAt(await llm.start());
      // Imported here: the module builds its agent when it is loaded, from the environment.
      const { ActionListModule } = await import('./action-list.module.js');
      server = await startApp([ActionListModule]);
    });
    afterAll(async () => {
      await server?.close();
      await llm.stop();
      restoreEnv();
    });

    it("offers each tenant its reports next to the docs' action, which reads the run's properties", async () => {
      const offered = async (tenant: string) => {
        llm.reset();
        llm.server.onMessage('list', { content: 'Listed.' });
        await postSse(`${server.url}/agent/default/run`, runInput({ text: 'list' }), { headers: { 'x-tenant': tenant } });
        return llm.requests()[0].body.tools!.map((tool) => tool.function.name);
      };
      expect(await offered('acme')).toEqual(['sayHello', 'salesReport', 'churnReport']);
      expect(await offered('globex')).toEqual(['sayHello', 'invoicesReport']);
      expect(await offered('initech')).toEqual(['sayHello']);

      llm.reset();
      llm.server.on({ userMessage: 'hello', hasToolResult: false }, { toolCalls: [{ name: 'sayHello', arguments: { name: 'Ada' } }] });
      llm.server.on({ userMessage: 'hello', hasToolResult: true }, { content: 'Done.' });
      const input = { ...runInput({ text: 'hello' }), forwardedProps: { plan: 'pro' } };
      const { events } = await postSse(`${server.url}/agent/default/run`, input, { headers: { 'x-tenant': 'acme' } });
      expect(events.find((e) => e.type === 'TOOL_CALL_RESULT')?.content).toBe('Hello, Ada! Your plan: pro.');
    });
  });

  it('durable threads: a SQLite file, owned per tenant and user, kept across restarts', async () => {
    const llm = await new LlmMock().start();
    const dir = mkdtempSync(join(tmpdir(), 'readme-'));
    const saved = { ...process.env };
    Object.assign(process.env, {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: `${llm.server.url}/v1`,
      THREADS_DB: join(dir, 'threads.sqlite'),
    });
    llm.server.onMessage('hello', { content: 'Hi!' });
    const auth = { headers: { authorization: 'Bearer demo-token' } };
    try {
      const input = runInput({ text: 'hello' });
      let server = await startApp([DurableCopilotModule], { mount: 'copilotkit' });
      await postSse(`${server.url}/agent/default/run`, input, auth);
      await server.close();

      server = await startApp([DurableCopilotModule], { mount: 'copilotkit' });
      try {
        const { threads } = await (await fetch(`${server.url}/threads`, auth)).json();
        expect(threads).toEqual([expect.objectContaining({ id: input.threadId, createdById: 'acme:user-1' })]);
        const { messages } = await (await fetch(`${server.url}/threads/${input.threadId}/messages`, auth)).json();
        expect(messages.map((m: { content: string }) => m.content)).toEqual(['hello', 'Hi!']);
      } finally {
        await server.close();
      }
    } finally {
      process.env = saved;
      await llm.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('many instances: two apps on one PostgreSQL and Redis share threads', async () => {
    const llm = await new LlmMock().start();
    const schema = `copilotkit_readme_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
    const saved = { ...process.env };
    Object.assign(process.env, {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: `${llm.server.url}/v1`,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      COPILOTKIT_SCHEMA: schema,
    });
    llm.server.onMessage('hello', { content: 'Hi from one instance.' });
    const [a, b] = await Promise.all([
      startApp([ConfigModule.forRoot({ isGlobal: true }), ScaledCopilotModule]),
      startApp([ConfigModule.forRoot({ isGlobal: true }), ScaledCopilotModule]),
    ]);
    try {
      const input = runInput({ text: 'hello' });
      await postSse(`${a.url}/agent/default/run`, input);
      const { messages } = await (await fetch(`${b.url}/threads/${input.threadId}/messages`)).json();
      expect(messages.map((m: { content: string }) => m.content)).toEqual(['hello', 'Hi from one instance.']);
    } finally {
      await Promise.all([a.close(), b.close()]);
      const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
      process.env = saved;
      await llm.stop();
    }
  });

  it('CopilotRuntime drives an agent from application code', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CopilotKitModule.forRoot({ agents: { default: new ScriptedAgent() } })],
      providers: [DigestService],
    }).compile();
    try {
      await expect(moduleRef.get(DigestService).summarize(randomUUID(), 'a long text')).resolves.toBe('You said: Summarize: a long text.');
    } finally {
      await moduleRef.close();
    }
  });

  it('audit hooks: refuse a request without a workspace, and record each run once it is over', async () => {
    @Module({ providers: [AuditLog, AuditHooks] })
    class AuditModule {}
    const server = await startApp([AuditModule, CopilotKitModule.forRoot({ agents: { default: new ScriptedAgent() } })]);
    try {
      const attempt = runInput();
      const refused = await postJson(`${server.url}/agent/default/run`, attempt);
      expect(refused).toMatchObject({ status: 403, json: { message: 'Choose a workspace first.' } });

      const input = runInput({ text: 'hi' });
      const { status } = await postSse(`${server.url}/agent/default/run`, input, { headers: { 'x-workspace': 'acme' } });
      expect(status).toBe(200);
      const audit = server.app.get(AuditLog);
      for (let i = 0; i < 50 && audit.entries.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(audit.entries).toEqual([
        // Refused attempts are audited too, with the ids the client sent.
        {
          workspace: undefined,
          threadId: attempt.threadId,
          runId: attempt.runId,
          outcome: 'error',
          lastMessage: undefined,
          outputTokens: 0,
        },
        {
          workspace: 'acme',
          threadId: input.threadId,
          runId: input.runId,
          outcome: 'finished',
          lastMessage: 'You said: hi.',
          outputTokens: 0,
        },
      ]);
    } finally {
      await server.close();
    }
  });
});

/** Points the `openai:` model strings at aimock through the environment; returns what puts it back. */
describe('README: options from a CopilotKitOptionsFactory class', () => {
  it('builds the options with the class and its injected ConfigService', async () => {
    const llm = await new LlmMock().start();
    const restoreEnv = pointOpenAIAt(llm);
    process.env.COPILOT_MODEL = 'gpt-configured';
    const server = await startApp([ConfiguredCopilotModule]);
    try {
      llm.server.onMessage('hi', { content: 'Configured.' });
      const agent = new HttpAgent({ url: `${server.url}/agent/default/run`, threadId: randomUUID() });
      agent.addMessage({ id: randomUUID(), role: 'user', content: 'hi' });
      expect((await agent.runAgent()).newMessages.at(-1)).toMatchObject({ content: 'Configured.' });
      expect((llm.requests()[0]?.body as { model?: string } | undefined)?.model).toBe('gpt-configured');
    } finally {
      delete process.env.COPILOT_MODEL;
      await server.close();
      await llm.stop();
      restoreEnv();
    }
  });
});

function pointOpenAIAt(llm: LlmMock): () => void {
  const saved = { OPENAI_API_KEY: process.env.OPENAI_API_KEY, OPENAI_BASE_URL: process.env.OPENAI_BASE_URL };
  Object.assign(process.env, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${llm.server.url}/v1` });
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
