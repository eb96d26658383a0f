import { Injectable, Module } from '@nestjs/common';
import { LazyModuleLoader } from '@nestjs/core';
import { CopilotKitModule, CopilotRuntime } from '../../lib/index.js';
import { ActionCallingAgent, type Script } from '../fixtures/action-calling.agent.js';
import { HeaderAuthGuard, RolesGuard } from '../fixtures/task-board/auth.js';
import { PlannerAgent, PlanningStyle } from '../fixtures/task-board/planner.agent.js';
import { CalendarService, ReportsService, RequestScopedService } from '../fixtures/task-board/scoped.services.js';
import { TasksService, WaitProbe } from '../fixtures/task-board/tasks.service.js';
import { startApp, type TestApp } from '../fixtures/test-app.js';
import { openSse, postJson, postSse, runInput } from '../fixtures/sse-client.js';

@Injectable()
class LazyLoaderHost {
  constructor(readonly loader: LazyModuleLoader) {}

  async load(): Promise<void> {
    const { LazyReportsModule } = await import('../fixtures/task-board/lazy-reports.module.js');
    await this.loader.load(() => LazyReportsModule);
  }
}

@Module({
  providers: [
    TasksService,
    RequestScopedService,
    { provide: 'REPORTS', useFactory: () => new ReportsService() },
    { provide: 'CALENDAR', useValue: new CalendarService() },
    { provide: 'TASKS_ALIAS', useExisting: TasksService },
    PlanningStyle,
    PlannerAgent,
    LazyLoaderHost,
  ],
})
class BoardModule {}

interface CallOutcome {
  status: number;
  offered: string[];
  results: Array<Record<string, unknown> | string>;
  events: Array<Record<string, any>>;
}

describe('@CopilotAction and @CopilotAgent', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startApp([
      BoardModule,
      CopilotKitModule.forRoot({ agents: { default: new ActionCallingAgent() }, guards: [HeaderAuthGuard] }),
    ]);
  });
  afterAll(() => server.close());

  async function run(
    script: Script,
    { user = 'alice', agent = 'default', headers = {}, tools = [] as string[] } = {},
  ): Promise<CallOutcome> {
    const input = runInput({ text: JSON.stringify(script) });
    input.tools = tools.map((name) => ({ name, description: 'frontend', parameters: { type: 'object', properties: {} } }));
    const result = await postSse(`${server.url}/agent/${agent}/run`, input, { headers: { 'x-user': user, ...headers } });
    const offered = result.events.find((e) => e.type === 'CUSTOM' && e.name === 'offered')?.value ?? [];
    const results = result.events
      .filter((e) => e.type === 'TOOL_CALL_RESULT')
      .map((e) => {
        try {
          return JSON.parse(e.content);
        } catch {
          return e.content;
        }
      });
    return { status: result.status, offered, results, events: result.events };
  }

  describe('discovery', () => {
    it('finds actions in every provider kind once: class, request-scoped, factory, value, not aliases twice', async () => {
      const runtime = server.app.get(CopilotRuntime);
      const names = runtime.actions.list().map((action) => action.name);
      expect(names.sort()).toEqual(
        [
          'comment',
          'create',
          'deleteAll',
          'today',
          'estimate',
          'explode',
          'import',
          'move',
          'plan',
          'refuse',
          'rename',
          'report',
          'tag',
          'wait',
          'whichInstance',
          'whoAmI',
        ].sort(),
      );
      expect(runtime.actions.list().find((a) => a.name === 'report')?.location).toBe('ReportsService.report');
      expect((await run({ calls: [{ name: 'today' }, { name: 'report' }] })).results).toEqual(['Saturday', 'report']);
    });

    it('serves a @CopilotAgent under its name, with its description in /info and its dependencies injected', async () => {
      const info = await (await fetch(`${server.url}/info`)).json();
      expect(info.agents.planner).toEqual({ name: 'planner', className: 'PlannerAgent', description: 'Plans work with backend actions.' });
      expect(server.app.get(PlannerAgent).planning.style).toBe('careful');

      const outcome = await run({ calls: [{ name: 'plan' }] }, { agent: 'planner' });
      expect(outcome.results).toEqual(['planned']);
    });

    it('finds actions of a module loaded lazily after boot', async () => {
      expect((await run({ calls: [{ name: 'lazyHello' }] })).results[0]).toMatchObject({ error: 'not_found' });
      await server.app.get(LazyLoaderHost).load();
      expect((await run({ calls: [{ name: 'lazyHello' }] })).results).toEqual(['hello from a lazy module']);
    });
  });

  describe('arguments', () => {
    it('validates a class-validator DTO and hands the method a DTO instance, nested objects included', async () => {
      const ok = await run({
        calls: [{ name: 'create', args: { title: 'Write docs', priority: 'high', assignee: { email: 'a@b.co' }, extra: 'stripped' } }],
      });
      expect(ok.results[0]).toMatchObject({ title: 'Write docs', createdBy: 'alice', receivedDto: true, assigneeIsDto: 'AssigneeDto' });

      const bad = await run({ calls: [{ name: 'create', args: { title: 'no', priority: 'urgent', assignee: { email: 'nope' } } }] });
      expect(bad.results[0]).toMatchObject({ error: 'invalid_arguments' });
      const fields = (bad.results[0] as { issues: Array<{ path: string }> }).issues.map((i) => i.path);
      expect(fields).toEqual(expect.arrayContaining(['title', 'priority', 'assignee.email']));
    });

    it.each([
      ['a JSON Schema', 'rename', { id: 'x', title: 'ok title' }, 'id'],
      ['a zod 4 schema', 'estimate', { title: 'x', hours: -1 }, 'hours'],
      ['a zod 3 schema', 'tag', { id: 1, tag: 'chore' }, 'tag'],
      ['a valibot schema', 'comment', { id: 1, text: '' }, 'text'],
      ['a CopilotKit parameter list', 'move', { id: 1 }, 'column'],
    ])('validates %s before the method runs, naming the field', async (_form, name, args, field) => {
      const outcome = await run({ calls: [{ name, args }] });
      expect(outcome.results[0]).toMatchObject({ error: 'invalid_arguments' });
      expect((outcome.results[0] as { issues: Array<{ path: string }> }).issues.map((i) => i.path)).toContain(field);
    });

    it.each([
      ['estimate', { title: 'Docs', hours: 3 }, 'Docs: 3h'],
      ['tag', { id: 7, tag: 'bug' }, { tagged: 7, tag: 'bug' }],
      ['comment', { id: 7, text: 'hi' }, { id: 7, comment: 'hi' }],
      ['move', { id: 7, column: 'done' }, { moved: 7, to: 'done' }],
    ])('runs %s with valid arguments', async (name, args, expected) => {
      expect((await run({ calls: [{ name, args }] })).results).toEqual([expected]);
    });

    it('answers arguments that are not JSON with a result the model can act on', async () => {
      const outcome = await run({ calls: [{ name: 'estimate', args: '{"title": ' }] });
      expect(outcome.results[0]).toEqual({ error: 'invalid_arguments', message: 'The arguments are not valid JSON.' });
    });
  });

  describe('errors', () => {
    it('turns a thrown error into a generic result, keeps the run going and leaks nothing', async () => {
      const outcome = await run({ calls: [{ name: 'explode' }, { name: 'whoAmI' }] });
      expect(outcome.results[0]).toEqual({ error: 'failed', message: "The action 'explode' failed because of an internal error." });
      expect(JSON.stringify(outcome.events)).not.toContain('hunter2');
      expect(outcome.results[1]).toMatchObject({ user: 'alice' });
      expect(outcome.events.at(-1)?.type).toBe('RUN_FINISHED');
    });

    it("passes an HttpException's message on to the model", async () => {
      const outcome = await run({ calls: [{ name: 'refuse' }, { name: 'rename', args: { id: 999, title: 'whatever' } }] });
      expect(outcome.results).toEqual([
        { error: 'failed', message: "The action 'refuse' failed (400): Archived boards cannot be changed" },
        { error: 'failed', message: "The action 'rename' failed (404): Task 999 does not exist" },
      ]);
    });
  });

  describe('context', () => {
    it('gives the method the caller, the thread, and a way to stream progress and state', async () => {
      const outcome = await run({ calls: [{ name: 'whoAmI' }, { name: 'import' }] }, { user: 'bob' });
      expect(outcome.results[0]).toEqual({ user: 'bob', threadId: outcome.events[0].threadId });
      const types = outcome.events.map((e) => e.type);
      const resultIndex = types.lastIndexOf('TOOL_CALL_RESULT');
      expect(types.slice(resultIndex - 3, resultIndex)).toEqual(['ACTIVITY_SNAPSHOT', 'STATE_SNAPSHOT', 'ACTIVITY_SNAPSHOT']);
      expect(outcome.events.find((e) => e.type === 'STATE_SNAPSHOT')?.snapshot).toEqual({ importing: true });
    });

    it('aborts the signal when the run is stopped, and the run ends at once', async () => {
      WaitProbe.sawAbort = false;
      const input = runInput({ text: JSON.stringify({ calls: [{ name: 'wait' }] }) });
      const stream = await openSse(`${server.url}/agent/default/run`, input, { headers: { 'x-user': 'alice' } });
      await stream.waitFor((e) => e.type === 'TOOL_CALL_END');
      await postJson(`${server.url}/agent/default/stop/${input.threadId}`, undefined, { headers: { 'x-user': 'alice' } });
      await stream.done;
      expect(WaitProbe.sawAbort).toBe(true);
      expect(stream.events.at(-1)).toMatchObject({ type: 'RUN_FINISHED' });
    });

    it('runs a request-scoped provider on the instance of the run request', async () => {
      const first = await run({ calls: [{ name: 'whichInstance' }, { name: 'whichInstance' }] }, { headers: { 'x-tag': 'one' } });
      const second = await run({ calls: [{ name: 'whichInstance' }] }, { headers: { 'x-tag': 'two' } });
      const [a, b] = first.results as Array<{ instance: number; requestTag: string }>;
      const [c] = second.results as Array<{ instance: number; requestTag: string }>;
      expect(a).toEqual(b);
      expect(a.requestTag).toBe('one');
      expect(c.requestTag).toBe('two');
      expect(c.instance).not.toBe(a.instance);
    });
  });

  describe('authorization', () => {
    it('offers a guarded action only to callers its guards admit', async () => {
      expect((await run({}, { user: 'root:admin' })).offered).toContain('deleteAll');
      const plain = await run({}, { user: 'alice' });
      expect(plain.offered).not.toContain('deleteAll');
      expect(plain.offered).toContain('create');
    });

    it('refuses a call to it at execution time, whatever the agent was told', async () => {
      const outcome = await run({ calls: [{ name: 'deleteAll' }] }, { user: 'mallory' });
      expect(outcome.results[0]).toEqual({ error: 'forbidden', message: "The caller is not allowed to use the action 'deleteAll'." });
      expect(server.app.get(TasksService).tasks.length).toBeGreaterThan(0);
    });

    it('gives guards the action’s context: type copilotkit, the action class and method, the run’s HTTP request', async () => {
      RolesGuard.checks = [];
      await run({ calls: [{ name: 'deleteAll' }] }, { user: 'root:admin' });
      expect(RolesGuard.checks.at(-1)).toEqual({ type: 'copilotkit', handler: 'deleteAll', className: 'TasksService', hasRequest: true });
    });

    it('keeps actions to the agents they name', async () => {
      expect((await run({})).offered).not.toContain('plan');
      expect((await run({ calls: [{ name: 'plan' }] })).results[0]).toMatchObject({ error: 'not_found' });
    });

    it('drops frontend tools that would shadow a backend action', async () => {
      await run({}, { tools: ['create', 'highlightTask'] });
      expect(ActionCallingAgent.lastInputTools).toEqual(['highlightTask']);
    });
  });
});
