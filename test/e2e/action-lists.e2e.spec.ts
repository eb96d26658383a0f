import { randomUUID } from 'node:crypto';
import { HttpAgent } from '@ag-ui/client';
import {
  ForbiddenException,
  Injectable,
  Module,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type Type,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { IsInt, Min } from 'class-validator';
import { lastValueFrom, toArray } from 'rxjs';
import { z } from 'zod';
import {
  BuiltInAgent,
  CopilotAction,
  CopilotKitConfigurationError,
  CopilotKitModule,
  CopilotRuntime,
  type ActionsFactoryContext,
  type BackendAction,
} from '../../lib/index.js';
import { ActionCallingAgent, type Script } from '../fixtures/action-calling.agent.js';
import { HeaderAuthGuard, Roles, RolesGuard, type User } from '../fixtures/task-board/auth.js';
import { LlmMock } from '../fixtures/llm-mock.js';
import { postSse, runInput } from '../fixtures/sse-client.js';
import { startApp, type TestApp } from '../fixtures/test-app.js';

class RefundDto {
  @IsInt()
  @Min(1)
  orderId!: number;
}

/** Every call a handler saw, with what its context said. */
const seen: Array<{ action: string; args: unknown; properties: unknown; user: unknown; threadId: string }> = [];
const record =
  (action: string, result: unknown = { ok: true }) =>
  (args: unknown, context: { properties: unknown; user: unknown; threadId: string }) => {
    seen.push({ action, args, properties: context.properties, user: context.user, threadId: context.threadId });
    return result;
  };

/** What app-wide interceptors saw of action calls. */
const intercepted: string[] = [];

@Injectable()
class CallLog implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler) {
    if (context.getType<string>() === 'copilotkit') intercepted.push(`${context.getClass().name}.${context.getHandler().name}`);
    return next.handle();
  }
}

@Injectable()
class InventoryService {
  @CopilotAction({ description: 'Count the items in stock' })
  countStock() {
    return 42;
  }
}

@Module({ providers: [InventoryService, { provide: APP_INTERCEPTOR, useClass: CallLog }] })
class InventoryModule {}

// The CopilotKit docs' backend action: the v1 parameter list, and `properties` for authentication.
const sayHello: BackendAction<{ name: string }> = {
  name: 'sayHello',
  description: 'Say hello to someone.',
  parameters: [{ name: 'name', type: 'string', description: 'name of the person to say hello to', required: true }],
  handler: async ({ name }, { properties }) => `Hello, ${name}! (signed in as ${String(properties.authorization)})`,
};

const listActions: BackendAction[] = [
  sayHello,
  {
    name: 'refund',
    description: 'Refund an order.',
    parameters: RefundDto,
    handler: record('refund'),
  },
  {
    name: 'tag',
    description: 'Tag an order.',
    parameters: z.object({ orderId: z.number().int(), tag: z.enum(['vip', 'late']) }),
    handler: record('tag'),
  },
  {
    name: 'note',
    description: 'Add a note.',
    parameters: { type: 'object', properties: { text: { type: 'string', minLength: 2 } }, required: ['text'] },
    handler: () => {
      throw new ForbiddenException('notes are closed today');
    },
  },
  {
    name: 'purge',
    description: 'Purge every order (admins only).',
    guards: [RolesGuard],
    metadata: { [Roles.KEY]: ['admin'] },
    handler: record('purge'),
  },
  {
    name: 'wipe',
    description: 'Wipe the archive.',
    approval: { message: 'Wipe the archive?' },
    handler: record('wipe', { wiped: true }),
  },
  { name: 'secret', description: 'Only for the auditor agent.', agents: ['auditor'], handler: record('secret') },
];

interface Outcome {
  status: number;
  offered: string[];
  results: unknown[];
  events: Array<Record<string, any>>;
}

async function run(server: TestApp, script: Script, { user = 'ann', agent = 'scripted', extra = {} as Record<string, unknown> } = {}) {
  const input = { ...runInput({ text: JSON.stringify(script) }), ...extra };
  const { status, events } = await postSse(`${server.url}/agent/${agent}/run`, input, { headers: { 'x-user': user } });
  const offered: string[] = events.find((e) => e.type === 'CUSTOM' && e.name === 'offered')?.value ?? [];
  const results = events.filter((e) => e.type === 'TOOL_CALL_RESULT').map((e) => parse(e.content));
  return { status, offered, results, events, input } as Outcome & { input: typeof input };
}

function parse(content: string): unknown {
  try {
    return JSON.parse(content);
  } catch {
    return content;
  }
}

describe('plain action lists: forRoot({ actions: [...] })', () => {
  const llm = new LlmMock();
  let server: TestApp;

  beforeAll(async () => {
    await llm.start();
    llm.server.on(
      { userMessage: 'greet', hasToolResult: false },
      { toolCalls: [{ id: 'call_hi', name: 'sayHello', arguments: { name: 'Ada' } }] },
    );
    llm.server.on({ userMessage: 'greet', hasToolResult: true }, { content: 'I said hello.' });
    server = await startApp([
      InventoryModule,
      CopilotKitModule.forRoot({
        agents: {
          default: new BuiltInAgent({ model: llm.adapter('openai') }),
          scripted: new ActionCallingAgent(),
          auditor: new ActionCallingAgent(),
        },
        actions: listActions,
        guards: [HeaderAuthGuard],
      }),
    ]);
  });
  afterAll(async () => {
    await server.close();
    await llm.stop();
  });
  beforeEach(() => {
    seen.length = 0;
    intercepted.length = 0;
  });

  it("runs the docs' example through the built-in agent: the list becomes the tool's JSON Schema, properties reach the handler", async () => {
    const agent = new HttpAgent({ url: `${server.url}/agent/default/run`, headers: { 'x-user': 'ann' } });
    agent.addMessage({ id: randomUUID(), role: 'user', content: 'greet Ada' });
    const { newMessages } = await agent.runAgent({ forwardedProps: { authorization: 'Bearer t0k3n' } });

    const tool = newMessages.find((message) => message.role === 'tool');
    expect(tool?.content).toBe('Hello, Ada! (signed in as Bearer t0k3n)');
    expect(newMessages.at(-1)?.content).toBe('I said hello.');
    const offered = llm.requests()[0].body.tools!.find((t) => t.function.name === 'sayHello');
    expect(offered!.function).toEqual({
      name: 'sayHello',
      description: 'Say hello to someone.',
      parameters: {
        type: 'object',
        properties: { name: { type: 'string', description: 'name of the person to say hello to' } },
        required: ['name'],
        additionalProperties: false,
      },
    });
  });

  it('offers list actions next to @CopilotAction methods, and only to the agents they name', async () => {
    const runtime = server.app.get(CopilotRuntime);
    expect(
      runtime.actions
        .list()
        .map((action) => action.name)
        .sort(),
    ).toEqual(['countStock', 'note', 'purge', 'refund', 'sayHello', 'secret', 'tag', 'wipe']);
    expect((await run(server, {})).offered.sort()).toEqual(['countStock', 'note', 'refund', 'sayHello', 'tag', 'wipe']);
    expect((await run(server, {}, { agent: 'auditor' })).offered).toContain('secret');
    const refused = await run(server, { calls: [{ name: 'secret' }] });
    expect(refused.results).toEqual([expect.objectContaining({ error: 'not_found' })]);
    expect(seen).toEqual([]);
  });

  it('validates arguments with every schema form before the handler runs', async () => {
    const { results } = await run(server, {
      calls: [
        { name: 'refund', args: { orderId: 0 } },
        { name: 'tag', args: { orderId: 1, tag: 'gold' } },
        { name: 'note', args: { text: 'x' } },
        { name: 'sayHello', args: {} },
      ],
    });
    expect(results).toEqual([
      expect.objectContaining({ error: 'invalid_arguments', issues: [expect.objectContaining({ path: 'orderId' })] }),
      expect.objectContaining({ error: 'invalid_arguments', issues: [expect.objectContaining({ path: 'tag' })] }),
      expect.objectContaining({ error: 'invalid_arguments', issues: [expect.objectContaining({ path: 'text' })] }),
      expect.objectContaining({ error: 'invalid_arguments', issues: [expect.objectContaining({ path: 'name' })] }),
    ]);
    expect(seen).toEqual([]);

    const valid = await run(server, {
      calls: [
        { name: 'refund', args: { orderId: 7 } },
        { name: 'tag', args: { orderId: 7, tag: 'vip' } },
      ],
    });
    expect(valid.results).toEqual([{ ok: true }, { ok: true }]);
    // The DTO arrives as its class, as a decorated action's does.
    expect(seen.map((call) => [call.action, call.args instanceof RefundDto, call.args])).toEqual([
      ['refund', true, { orderId: 7 }],
      ['tag', false, { orderId: 7, tag: 'vip' }],
    ]);
    expect(seen[0]).toMatchObject({ user: { id: 'ann' }, threadId: valid.input.threadId, properties: {} });
  });

  it("turns a thrown HttpException into the model's error result, as for decorated actions", async () => {
    const { results } = await run(server, { calls: [{ name: 'note', args: { text: 'hello' } }] });
    expect(results).toEqual([{ error: 'failed', message: "The action 'note' failed (403): notes are closed today" }]);
  });

  it('runs per-action guards with the metadata they read, to offer and to call', async () => {
    expect((await run(server, {}, { user: 'root:admin' })).offered).toContain('purge');
    expect((await run(server, {}, { user: 'bob' })).offered).not.toContain('purge');
    // A call the model was never offered (a forged history, a stale list) is refused at execution too.
    const refused = await run(server, { calls: [{ name: 'purge' }] }, { user: 'bob' });
    expect(refused.results).toEqual([expect.objectContaining({ error: 'forbidden' })]);
    expect(seen).toEqual([]);
    const allowed = await run(server, { calls: [{ name: 'purge' }] }, { user: 'root:admin' });
    expect(allowed.results).toEqual([{ ok: true }]);
    expect(RolesGuard.checks.at(-1)).toMatchObject({ type: 'copilotkit', handler: 'purge', className: 'CopilotKitModuleActions' });
  });

  it("passes calls through the app's interceptors, named after the action", async () => {
    await run(server, { calls: [{ name: 'tag', args: { orderId: 1, tag: 'late' } }, { name: 'countStock' }] });
    expect(intercepted).toEqual(['CopilotKitModuleActions.tag', 'InventoryService.countStock']);
  });

  it('pauses on an action that needs approval instead of running it', async () => {
    const paused = await run(server, { calls: [{ name: 'wipe' }] });
    expect(seen).toEqual([]);
    expect(paused.results).toEqual([{ pending: 'approval', interruptId: expect.any(String) }]);
  });
});

describe('plain action lists through the built-in agent: approvals', () => {
  const llm = new LlmMock();
  let server: TestApp;

  beforeAll(async () => {
    await llm.start();
    llm.server.on({ userMessage: 'wipe', hasToolResult: false }, { toolCalls: [{ id: 'call_wipe', name: 'wipe', arguments: {} }] });
    llm.server.on({ userMessage: 'wipe', hasToolResult: true }, { content: 'Wiped.' });
    server = await startApp([
      CopilotKitModule.forRoot({
        agents: { default: new BuiltInAgent({ model: llm.adapter('openai') }) },
        actions: listActions,
        guards: [HeaderAuthGuard],
      }),
    ]);
  });
  afterAll(async () => {
    await server.close();
    await llm.stop();
  });

  it('interrupts with the approval question, then runs the handler on the approved resume', async () => {
    seen.length = 0;
    const input = runInput({ text: 'wipe it' });
    const paused = await postSse(`${server.url}/agent/default/run`, input, { headers: { 'x-user': 'ann' } });
    expect(paused.events.at(-1)).toMatchObject({
      type: 'RUN_FINISHED',
      outcome: { type: 'interrupt', interrupts: [expect.objectContaining({ id: 'approval-call_wipe', message: 'Wipe the archive?' })] },
    });
    expect(seen).toEqual([]);
    const resumed = await postSse(
      `${server.url}/agent/default/run`,
      {
        ...runInput({ threadId: input.threadId }),
        messages: [],
        resume: [{ interruptId: 'approval-call_wipe', status: 'resolved', payload: { approved: true } }],
      },
      { headers: { 'x-user': 'ann' } },
    );
    expect(resumed.status).toBe(200);
    expect(seen.map((call) => call.action)).toEqual(['wipe']);
    expect(resumed.events.find((e) => e.type === 'TOOL_CALL_RESULT')).toMatchObject({ toolCallId: 'call_wipe', content: '{"wiped":true}' });
  });
});

describe('plain action lists per run: forRoot({ actions: (context) => [...] })', () => {
  let server: TestApp;
  const contexts: ActionsFactoryContext[] = [];
  const tenantTools: Record<string, BackendAction[]> = {
    acme: [{ name: 'acmeReport', description: 'The Acme report', handler: (_args, { properties }) => ({ tenant: 'acme', properties }) }],
    globex: [
      {
        name: 'globexInvoice',
        description: 'A Globex invoice',
        parameters: [{ name: 'id', type: 'number' }],
        handler: ({ id }: { id: number }) => ({ invoice: id }),
      },
    ],
  };

  beforeAll(async () => {
    server = await startApp([
      InventoryModule,
      CopilotKitModule.forRoot({
        agents: { scripted: new ActionCallingAgent() },
        guards: [HeaderAuthGuard],
        actions: async (context) => {
          contexts.push(context);
          const tenant = context.headers['x-tenant'];
          if (tenant === 'nobody') throw new ForbiddenException('unknown tenant');
          if (tenant === 'broken') return [{ name: 'bad name', description: 'x', handler: () => 1 }];
          if (tenant === 'clash') return [{ name: 'countStock', description: 'x', handler: () => 1 }];
          if (tenant === 'twice') return [tenantTools.acme[0], tenantTools.acme[0]];
          if (tenant === 'not-a-list') return { nope: true } as never;
          return tenantTools[String(tenant)] ?? [];
        },
      }),
    ]);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    contexts.length = 0;
  });

  const runAs = (tenant: string, script: Script, extra: Record<string, unknown> = {}) =>
    postSse(
      `${server.url}/agent/scripted/run`,
      { ...runInput({ text: JSON.stringify(script) }), ...extra },
      {
        headers: { 'x-user': 'ann', 'x-tenant': tenant },
      },
    );
  const offered = (events: Array<Record<string, any>>) => events.find((e) => e.type === 'CUSTOM' && e.name === 'offered')?.value;

  it("offers each tenant its own tools, next to the decorated actions, and calls the factory once per run with the run's context", async () => {
    const acme = await runAs('acme', { calls: [{ name: 'acmeReport' }] }, { forwardedProps: { plan: 'gold' } });
    expect(offered(acme.events).sort()).toEqual(['acmeReport', 'countStock']);
    expect(parse(acme.events.find((e) => e.type === 'TOOL_CALL_RESULT')!.content)).toEqual({
      tenant: 'acme',
      properties: { plan: 'gold' },
    });
    const globex = await runAs('globex', { calls: [{ name: 'globexInvoice', args: { id: 9 } }, { name: 'acmeReport' }] });
    expect(offered(globex.events).sort()).toEqual(['countStock', 'globexInvoice']);
    expect(globex.events.filter((e) => e.type === 'TOOL_CALL_RESULT').map((e) => parse(e.content))).toEqual([
      { invoice: 9 },
      expect.objectContaining({ error: 'not_found' }),
    ]);
    expect(contexts).toHaveLength(2);
    expect(contexts[0]).toMatchObject({
      agentId: 'scripted',
      user: { id: 'ann' } as User,
      properties: { plan: 'gold' },
      url: expect.stringMatching(/\/agent\/scripted\/run$/),
      headers: expect.objectContaining({ 'x-tenant': 'acme' }),
    });
    expect(contexts[0].threadId).toEqual(expect.any(String));
  });

  it('validates what the factory returns by the same rules, failing that request before the run starts', async () => {
    const broken = await runAs('broken', {});
    expect(broken.status).toBe(500);
    expect(broken.events).toEqual([]);
    expect((await runAs('clash', {})).status).toBe(500);
    expect((await runAs('twice', {})).status).toBe(500);
    expect((await runAs('not-a-list', {})).status).toBe(500);
    // An HttpException the factory throws is the answer: the app decides who may run at all.
    const refused = await runAs('nobody', {});
    expect(refused.status).toBe(403);
  });

  it("drops a frontend tool named like one of the run's factory actions: the backend action wins", async () => {
    const frontend = { name: 'acmeReport', description: 'a page tool', parameters: { type: 'object', properties: {} } };
    const { events } = await runAs('acme', {}, { tools: [frontend, { ...frontend, name: 'highlight' }] });
    expect(offered(events)).toContain('acmeReport');
    expect(ActionCallingAgent.lastInputTools).toEqual(['highlight']);
  });

  it('calls the factory for runs started from code too, without a request', async () => {
    const runtime = server.app.get(CopilotRuntime);
    const events = await lastValueFrom((await runtime.run('scripted', runInput({ text: '{}' }))).pipe(toArray()));
    expect(events.at(-1)?.type).toBe('RUN_FINISHED');
    expect(contexts).toEqual([expect.objectContaining({ request: undefined, user: undefined, headers: {}, url: undefined })]);
  });

  it('keeps no thread for a request the factory failed', async () => {
    const threadId = randomUUID();
    expect((await runAs('broken', {}, { threadId })).status).toBe(500);
    const runtime = server.app.get(CopilotRuntime);
    expect(await runtime.runner.getThread(threadId)).toBeUndefined();
  });
});

describe('plain action lists: boot errors', () => {
  async function bootFailure(actions: unknown, providers: Array<Type<unknown>> = []): Promise<Error> {
    @Module({ providers })
    class FeatureModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [FeatureModule, CopilotKitModule.forRoot({ agents: {}, actions: actions as never })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    try {
      await app.init();
    } catch (error) {
      return error as Error;
    } finally {
      await app.close().catch(() => undefined);
    }
    throw new Error('expected the app to fail at boot');
  }
  const handler = () => 1;

  it.each([
    ['no description', [{ name: 'a', handler }], /forRoot actions\[0\] \('a'\) has no description/],
    ['a bad name', [{ name: 'a b', description: 'x', handler }], /forRoot actions\[0\] \('a b'\): name 'a b' must be 1-64/],
    ['no handler', [{ name: 'a', description: 'x' }], /forRoot actions\[0\] \('a'\) has no handler/],
    ['a field of another shape', [{ name: 'a', description: 'x', handler, params: [] }], /unknown field 'params'/],
    ['bad parameters', [{ name: 'a', description: 'x', handler, parameters: [{ type: 'string' }] }], /every parameter needs a name/],
    ['bad guards', [{ name: 'a', description: 'x', handler, guards: ['admin'] }], /'guards' must be an array of guard classes/],
    ['not an object', [handler], /forRoot actions\[0\] must be an action object/],
    [
      'two of one name',
      [
        { name: 'a', description: 'x', handler },
        { name: 'a', description: 'y', handler },
      ],
      /two actions are named 'a'/,
    ],
  ])('refuses an action with %s, naming it', async (_case, actions, message) => {
    const error = await bootFailure(actions);
    expect(error).toBeInstanceOf(CopilotKitConfigurationError);
    expect(error.message).toMatch(message);
  });

  it('refuses a list action named like a @CopilotAction method, naming both', async () => {
    const error = await bootFailure([{ name: 'countStock', description: 'x', handler }], [InventoryService]);
    expect(error.message).toMatch(
      /two actions are named 'countStock': .*InventoryService\.countStock.*forRoot actions\[0\]|forRoot actions\[0\].*InventoryService\.countStock/,
    );
  });

  it('refuses actions that are neither a list nor a function', async () => {
    await expect(
      Test.createTestingModule({ imports: [CopilotKitModule.forRoot({ actions: { a: 1 } as never })] }).compile(),
    ).rejects.toThrow(/'actions' must be an array of actions/);
  });

  it('takes the list from forRootAsync too', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CopilotKitModule.forRootAsync({
          useFactory: async () => ({ agents: { scripted: new ActionCallingAgent() }, actions: [sayHello] }),
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      expect(
        app
          .get(CopilotRuntime)
          .actions.list()
          .map((action) => action.name),
      ).toEqual(['sayHello']);
    } finally {
      await app.close();
    }
  });
});
