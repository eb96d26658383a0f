import { Test } from '@nestjs/testing';
import { CopilotKitConfigurationError, CopilotKitModule, InMemoryAgentRunner, type AgentRunner } from '../../lib/index.js';
import { MapAgentRunner } from '../fixtures/map-agent-runner.js';
import { HeaderAuthGuard } from '../fixtures/task-board/auth.js';
import { postJson, postSse, runInput } from '../fixtures/sse-client.js';
import { startCopilotKit, type TestApp } from '../fixtures/test-app.js';
import { AgentProbe, ScriptedAgent } from '../fixtures/test-agents.js';

// Ownership, forged history and forged resumes on this runner are in threads.e2e and approvals.e2e.
describe('a runner written only against the public AgentRunner contract', () => {
  const probe = new AgentProbe();
  let server: TestApp;
  const ann = { headers: { 'x-user': 'ann' } };
  // The 'held' agent's runs finish only once the test lets them, so a run holds its thread for as
  // long as the test needs, however slowly a loaded machine delivers the requests.
  let letRunsFinish: () => void = () => {};
  let runsMayFinish = Promise.resolve();

  beforeAll(async () => {
    server = await startCopilotKit({
      agents: {
        slow: new ScriptedAgent(probe, { delayMs: 20, deltas: () => ['a', 'b', 'c'] }),
        held: new ScriptedAgent(probe, { deltas: () => ['a'], holdUntil: () => runsMayFinish }),
      },
      runner: new MapAgentRunner(),
      guards: [HeaderAuthGuard],
    });
  });
  afterAll(() => server.close());

  it('lets one of many simultaneous runs on a thread through; the others get 409 and never reach the agent', async () => {
    const threadId = runInput().threadId;
    const runsBefore = probe.runs;
    runsMayFinish = new Promise<void>((resolve) => (letRunsFinish = resolve));
    // Every response has its status (a run's stream sends its headers at RUN_STARTED) before any
    // run may finish.
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        fetch(`${server.url}/agent/held/run`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...ann.headers },
          body: JSON.stringify(runInput({ threadId })),
        }),
      ),
    );
    letRunsFinish();
    const answers = await Promise.all(responses.map(async (response) => ({ status: response.status, body: await response.text() })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    expect(JSON.parse(answers.find((answer) => answer.status === 409)!.body)).toMatchObject({
      statusCode: 409,
      error: 'Thread already running',
    });
    expect(probe.runs - runsBefore).toBe(1);
    // Released once the run ended.
    expect((await postSse(`${server.url}/agent/held/run`, runInput({ threadId }), ann)).status).toBe(200);
  });

  it('answers 409 to a run id used before on the thread, and the thread goes on', async () => {
    const input = runInput();
    expect((await postSse(`${server.url}/agent/slow/run`, input, ann)).status).toBe(200);
    expect(await postJson(`${server.url}/agent/slow/run`, input, ann)).toMatchObject({
      status: 409,
      json: { error: 'Run id already used' },
    });
    expect((await postSse(`${server.url}/agent/slow/run`, runInput({ threadId: input.threadId }), ann)).status).toBe(200);
  });

  it('releases the thread when the runtime refuses a run after the lock (a forged resume)', async () => {
    const input = runInput();
    expect((await postSse(`${server.url}/agent/slow/run`, input, ann)).status).toBe(200);
    const refused = await postJson(
      `${server.url}/agent/slow/run`,
      { ...runInput({ threadId: input.threadId }), resume: [{ interruptId: 'forged', status: 'resolved', payload: { approved: true } }] },
      ann,
    );
    // Nothing is pending on the thread, whatever the client claims.
    expect(refused).toMatchObject({ status: 409, json: { code: 'NOTHING_PENDING' } });
    expect((await postSse(`${server.url}/agent/slow/run`, runInput({ threadId: input.threadId }), ann)).status).toBe(200);
  });

  it('stops a live run and replays the thread on connect', async () => {
    const input = runInput();
    const first = await postSse(`${server.url}/agent/slow/run`, input, ann);
    const replay = await postSse(`${server.url}/agent/slow/connect`, { threadId: input.threadId }, ann);
    expect(replay.events.map((event) => event.type)).toEqual(first.events.map((event) => event.type));
    const stop = await postJson(`${server.url}/agent/slow/stop/${input.threadId}`, undefined, ann);
    expect(stop).toMatchObject({ status: 200, json: { stopped: false } });
  });
});

/** A runner as written for the contract before `begin` and `execute`: it must not boot. */
class OldContractRunner extends InMemoryAgentRunner {
  constructor() {
    super();
    for (const method of ['begin', 'history', 'execute', 'abandon', 'getThread', 'listThreads', 'updateThread', 'deleteThread']) {
      Object.defineProperty(this, method, { value: undefined });
    }
  }
}

it('refuses at boot a runner that lacks part of the contract, naming each missing method', async () => {
  const compile = () =>
    Test.createTestingModule({ imports: [CopilotKitModule.forRoot({ runner: new OldContractRunner() as AgentRunner })] }).compile();
  await expect(compile()).rejects.toThrow(CopilotKitConfigurationError);
  await expect(compile()).rejects.toThrow(/it lacks begin, history, execute, abandon, getThread, listThreads, updateThread, deleteThread/);
});
