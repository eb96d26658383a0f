import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { EventType, type BaseEvent, type RunAgentInput } from '@ag-ui/core';
import { Observable } from 'rxjs';
import {
  CopilotKitConfigurationError,
  CopilotKitModule,
  InMemoryAgentRunner,
  SqliteAgentRunner,
  type AgentRunner,
  type AgUiAgent,
  type CopilotRunContext,
} from '../../lib/index.js';
import { AgentRun } from '../../lib/runtime/agent-run.js';
import { postSse, runInput } from '../fixtures/sse-client.js';
import { startCopilotKit, type TestApp } from '../fixtures/test-app.js';
import { lastUserText, textRun } from '../fixtures/test-agents.js';

const dir = mkdtempSync(join(tmpdir(), 'run-duration-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the hung agent saw of its runs ending. */
interface HangProbe {
  signals: AbortSignal[];
  abortRunCalls: number;
  teardowns: number;
}

/**
 * Starts a message and then never says another word when asked to 'hang', as an agent stuck on an
 * upstream that never answers; answers anything else at once.
 */
function hungAgent(probe: HangProbe): AgUiAgent {
  return {
    run(input: RunAgentInput, context?: CopilotRunContext) {
      if (lastUserText(input) !== 'hang') return textRun(input, 'done');
      if (context) probe.signals.push(context.signal);
      return new Observable<BaseEvent>((subscriber) => {
        subscriber.next({ type: EventType.RUN_STARTED, threadId: input.threadId, runId: input.runId } as BaseEvent);
        subscriber.next({ type: EventType.TEXT_MESSAGE_START, messageId: `m-${input.runId}`, role: 'assistant' } as BaseEvent);
        subscriber.next({ type: EventType.TEXT_MESSAGE_CONTENT, messageId: `m-${input.runId}`, delta: 'thinking' } as BaseEvent);
        return () => probe.teardowns++;
      });
    },
    abortRun: () => probe.abortRunCalls++,
  };
}

const runners: Array<[string, () => AgentRunner]> = [
  ['InMemoryAgentRunner', () => new InMemoryAgentRunner()],
  ['SqliteAgentRunner', () => new SqliteAgentRunner({ path: join(dir, `${randomUUID()}.sqlite`) })],
];

describe.each(runners)('maxRunDurationMs on %s', (_name, createRunner) => {
  let server: TestApp;
  let runner: AgentRunner;
  let probe: HangProbe;

  beforeAll(async () => {
    probe = { signals: [], abortRunCalls: 0, teardowns: 0 };
    runner = createRunner();
    server = await startCopilotKit({ agents: { hung: hungAgent(probe) }, runner, maxRunDurationMs: 200 });
  });
  afterAll(() => server.close());

  it('ends a hung run with RUN_ERROR RUN_TIMEOUT, aborts the agent and frees the thread', async () => {
    const input = runInput({ text: 'hang' });
    const startedAt = Date.now();
    const { status, events } = await postSse(`${server.url}/agent/hung/run`, input);
    const elapsed = Date.now() - startedAt;

    expect(status).toBe(200);
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(5000);
    expect(events.map((e) => e.type)).toEqual([
      'RUN_STARTED',
      'TEXT_MESSAGE_START',
      'TEXT_MESSAGE_CONTENT',
      'TEXT_MESSAGE_END',
      'RUN_ERROR',
    ]);
    const terminal = events.at(-1)!;
    expect(terminal).toMatchObject({ code: 'RUN_TIMEOUT', message: 'The run went on longer than the server allows, so it was ended.' });
    expect(probe.signals.at(-1)?.aborted).toBe(true);
    expect(probe.abortRunCalls).toBe(1);
    expect(probe.teardowns).toBe(1);

    const replay = await postSse(`${server.url}/agent/hung/connect`, { threadId: input.threadId });
    expect(replay.events.at(-1)).toMatchObject({ type: 'RUN_ERROR', code: 'RUN_TIMEOUT' });
    expect(await runner.isRunning({ threadId: input.threadId })).toBe(false);

    const next = await postSse(`${server.url}/agent/hung/run`, runInput({ threadId: input.threadId, text: 'go on' }));
    expect(next.status).toBe(200);
    expect(next.events.at(-1)?.type).toBe('RUN_FINISHED');
  });

  it('leaves a run that ends in time alone', async () => {
    const input = runInput({ text: 'quick' });
    const { events } = await postSse(`${server.url}/agent/hung/run`, input);
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(events.at(-1)?.type).toBe('RUN_FINISHED');
    const replay = await postSse(`${server.url}/agent/hung/connect`, { threadId: input.threadId });
    expect(replay.events.map((e) => e.type)).not.toContain('RUN_ERROR');
  });
});

describe("a run's deadline timer", () => {
  afterEach(() => jest.restoreAllMocks());

  /** The timers armed for `ms`, as setTimeout returned them. */
  function deadlines(spy: { mock: { calls: unknown[][]; results: Array<{ value: unknown }> } }, ms: number): NodeJS.Timeout[] {
    return spy.mock.calls.flatMap((call, index) => (call[1] === ms ? [spy.mock.results[index].value as NodeJS.Timeout] : []));
  }
  const create = (agent: AgUiAgent) => {
    const input = runInput({ text: 'hang' });
    return new AgentRun({ ...input, agentId: 'hung', agent, input, announcedInput: input, maxDurationMs: 123_457 });
  };

  it('does not keep the process alive, and is cleared when the run ends', async () => {
    const armed = jest.spyOn(globalThis, 'setTimeout');
    const cleared = jest.spyOn(globalThis, 'clearTimeout');
    const run = create(hungAgent({ signals: [], abortRunCalls: 0, teardowns: 0 }));

    run.start();
    const [timer] = deadlines(armed, 123_457);
    expect(timer.hasRef()).toBe(false);
    expect(cleared).not.toHaveBeenCalledWith(timer);

    run.stop();
    await run.settled;
    expect(cleared).toHaveBeenCalledWith(timer);
    expect(run.events.at(-1)?.type).toBe('RUN_FINISHED');
  });

  it('is cleared by a run that ends inside subscribe()', async () => {
    const armed = jest.spyOn(globalThis, 'setTimeout');
    const cleared = jest.spyOn(globalThis, 'clearTimeout');
    const run = create({ run: (input) => textRun(input, 'at once') });

    run.start();
    await run.settled;
    const [timer] = deadlines(armed, 123_457);
    expect(timer).toBeDefined();
    expect(cleared).toHaveBeenCalledWith(timer);
  });
});

describe('maxRunDurationMs validation', () => {
  it.each([
    ['zero', 0],
    ['a negative number', -1],
    ['a fraction', 1.5],
    ['a string', '200'],
    ['more than a timer can wait', 2 ** 31],
  ])('fails at boot for %s', async (_case, value) => {
    const compile = () => Test.createTestingModule({ imports: [CopilotKitModule.forRoot({ maxRunDurationMs: value as never })] }).compile();
    await expect(compile()).rejects.toThrow(CopilotKitConfigurationError);
    await expect(compile()).rejects.toThrow(/'maxRunDurationMs' must be a whole number of milliseconds/);
  });
});
