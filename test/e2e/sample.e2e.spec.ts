import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { AppModule } from '../../sample/app.module.js';
import { startApp, type TestApp } from '../fixtures/test-app.js';
import { postJson, postSse, runInput } from '../fixtures/sse-client.js';

/** The sample app in demo mode, through its HTTP API: what the page does, without the browser. */
describe('sample app (demo mode)', () => {
  let server: TestApp;
  const dir = mkdtempSync(join(tmpdir(), 'sample-'));
  const saved = { ...process.env };

  beforeAll(async () => {
    delete process.env.OPENAI_API_KEY;
    delete process.env.ANTHROPIC_API_KEY;
    process.env.SAMPLE_DB = join(dir, 'sample.sqlite');
    server = await startApp([AppModule]);
  });
  afterAll(async () => {
    await server.close();
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  async function login(user: string) {
    const { json } = await postJson(`${server.origin}/api/login`, { user });
    return { headers: { authorization: `Bearer ${json.token}` } };
  }
  async function ask(text: string, auth: { headers: Record<string, string> }, agent = 'default') {
    const { events } = await postSse(`${server.url}/agent/${agent}/run`, runInput({ text }), auth);
    return {
      text: events
        .filter((e) => e.type === 'TEXT_MESSAGE_CONTENT')
        .map((e) => e.delta)
        .join(''),
      results: events.filter((e) => e.type === 'TOOL_CALL_RESULT').map((e) => e.content as string),
    };
  }

  it('says it is in demo mode, and keeps the runtime behind the login', async () => {
    expect(await (await fetch(`${server.origin}/api/config`)).json()).toEqual({ mode: 'demo' });
    expect((await fetch(`${server.url}/info`)).status).toBe(401);
    const info = await (await fetch(`${server.url}/info`, await login('ann'))).json();
    expect(Object.keys(info.agents).sort()).toEqual(['default', 'planner']);
  });

  it('adds a task through the DTO-validated backend action, in the caller name', async () => {
    const auth = await login('bob');
    const answer = await ask('add a task please', auth);
    expect(answer.text).toMatch(/^Done: "Write the launch post" is on the board as task \d+\.$/);
    const tasks = await (await fetch(`${server.origin}/api/tasks`, auth)).json();
    expect(tasks.at(-1)).toMatchObject({ title: 'Write the launch post', priority: 'high', createdBy: 'bob' });
  });

  it('answers from the caller identity', async () => {
    expect((await ask('who am I?', await login('ann'))).text).toBe('You are Ann (admin).');
  });

  it('lets only an admin delete, as the role guard says', async () => {
    // Bob is not offered the action at all, so the model's call to it cannot reach it.
    const bob = await login('bob');
    const refused = await ask('delete task 3', bob);
    expect(JSON.parse(refused.results[0])).toMatchObject({ error: 'unknown_tool' });
    expect((await (await fetch(`${server.origin}/api/tasks`, bob)).json()).map((t: { id: number }) => t.id)).toContain(3);
    // Ann is asked first: the run pauses on an approval, and the task is still there.
    const ann = await login('ann');
    const input = runInput({ text: 'delete task 3' });
    const paused = await postSse(`${server.url}/agent/default/run`, input, ann);
    const [interrupt] = paused.events.at(-1)!.outcome.interrupts;
    expect(interrupt).toMatchObject({ reason: 'tool_call', message: 'Delete task 3?' });
    expect((await (await fetch(`${server.origin}/api/tasks`, ann)).json()).map((t: { id: number }) => t.id)).toContain(3);
    const approved = await postSse(
      `${server.url}/agent/default/run`,
      {
        ...runInput({ threadId: input.threadId }),
        messages: [],
        resume: [{ interruptId: interrupt.id, status: 'resolved', payload: { approved: true } }],
      },
      ann,
    );
    expect(
      approved.events
        .filter((e) => e.type === 'TEXT_MESSAGE_CONTENT')
        .map((e) => e.delta)
        .join(''),
    ).toBe('Task 3 is deleted.');
    expect((await (await fetch(`${server.origin}/api/tasks`, ann)).json()).map((t: { id: number }) => t.id)).not.toContain(3);
  });

  it('writes an audit line per run from its @CopilotHooks provider: who and how, never the text', async () => {
    const lines: string[] = [];
    class CapturingLogger extends ConsoleLogger {
      protected override printMessages(messages: unknown[], context = ''): void {
        if (context === 'Audit') lines.push(messages.map(String).join(' '));
      }
    }
    Logger.overrideLogger(new CapturingLogger());
    try {
      await ask('who am I?', await login('ann'));
      for (let i = 0; i < 50 && lines.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(lines).toEqual([expect.stringMatching(/^user=ann agent=default thread=\S+ run=\S+ outcome=finished tokens=\d+ ms=\d+$/)]);
    } finally {
      Logger.overrideLogger(['error', 'warn']);
    }
  });

  it('serves the @CopilotAgent planner, which may only read the board', async () => {
    const answer = await postSse(`${server.url}/agent/planner/run`, runInput({ text: 'plan my week' }), await login('ann'));
    expect(answer.events.at(-1)?.type).toBe('RUN_FINISHED');
  });
});
