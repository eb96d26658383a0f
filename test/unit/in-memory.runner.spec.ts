import type { BaseEvent } from '@ag-ui/core';
import { lastValueFrom, Subject, toArray, type Observable } from 'rxjs';
import { InMemoryAgentRunner, ThreadBusyException, type AgUiAgent, type IdentifiedEvent } from '../../lib/index.js';
import { RunPreparation, type RunRequest } from '../../lib/runtime/run-preparation.js';
import { runInput } from '../fixtures/sse-client.js';
import { AgentProbe, ScriptedAgent } from '../fixtures/test-agents.js';

const preparation = new RunPreparation();
const startRun = (runner: InMemoryAgentRunner, request: RunRequest) => preparation.start(runner, request);

const collect = async (events: Observable<IdentifiedEvent> | Promise<Observable<IdentifiedEvent>>): Promise<BaseEvent[]> =>
  (await lastValueFrom((await events).pipe(toArray()))).map((identified) => identified.event);

/** An agent whose events the test pushes by hand. */
function manualAgent() {
  const subject = new Subject<BaseEvent>();
  let tornDown = 0;
  const agent: AgUiAgent = {
    run: () => ({
      subscribe: (observer) => {
        const subscription = subject.subscribe(observer);
        return { unsubscribe: () => (tornDown++, subscription.unsubscribe()) };
      },
    }),
  };
  return { agent, subject, tornDown: () => tornDown };
}

describe('InMemoryAgentRunner', () => {
  it('runs the agent eagerly: events are produced and stored even if nobody subscribes', async () => {
    const runner = new InMemoryAgentRunner();
    const probe = new AgentProbe();
    const input = runInput();

    await startRun(runner, { history: 'client', agentId: 'a', agent: new ScriptedAgent(probe), input });

    expect(probe.completedRuns).toBe(1);
    const replay = await collect(runner.connect({ threadId: input.threadId }));
    expect(replay.map((e) => e.type)).toEqual([
      'RUN_STARTED',
      'TEXT_MESSAGE_START',
      'TEXT_MESSAGE_CONTENT',
      'TEXT_MESSAGE_END',
      'RUN_FINISHED',
    ]);
  });

  it('gives every subscriber the run from its first event', async () => {
    const runner = new InMemoryAgentRunner();
    const { agent, subject } = manualAgent();
    const input = runInput();
    const stream = await startRun(runner, { history: 'client', agentId: 'a', agent, input });

    subject.next({ type: 'TEXT_MESSAGE_START', messageId: 'm' } as BaseEvent);
    const late = collect(stream);
    const early = collect(stream);
    subject.next({ type: 'TEXT_MESSAGE_END', messageId: 'm' } as BaseEvent);
    subject.next({ type: 'RUN_FINISHED' } as BaseEvent);

    const [a, b] = await Promise.all([late, early]);
    expect(a.map((e) => e.type)).toEqual(['RUN_STARTED', 'TEXT_MESSAGE_START', 'TEXT_MESSAGE_END', 'RUN_FINISHED']);
    expect(b).toEqual(a);
  });

  it('locks the thread while it runs and releases it when the run ends', async () => {
    const runner = new InMemoryAgentRunner();
    const { agent, subject } = manualAgent();
    const input = runInput();
    await startRun(runner, { history: 'client', agentId: 'a', agent, input });

    expect(await runner.isRunning({ threadId: input.threadId })).toBe(true);
    await expect(
      startRun(runner, { history: 'client', agentId: 'a', agent: new ScriptedAgent(), input: runInput({ threadId: input.threadId }) }),
    ).rejects.toBeInstanceOf(ThreadBusyException);

    subject.next({ type: 'RUN_FINISHED' } as BaseEvent);
    expect(await runner.isRunning({ threadId: input.threadId })).toBe(false);
    await expect(
      startRun(runner, { history: 'client', agentId: 'a', agent: new ScriptedAgent(), input: runInput({ threadId: input.threadId }) }),
    ).resolves.toBeDefined();
  });

  it('stops a run: the agent is torn down and readers get closed events', async () => {
    const runner = new InMemoryAgentRunner();
    const { agent, subject, tornDown } = manualAgent();
    const input = runInput();
    const stream = await startRun(runner, { history: 'client', agentId: 'a', agent, input });
    const events = collect(stream);
    subject.next({ type: 'TEXT_MESSAGE_START', messageId: 'm' } as BaseEvent);

    expect(await runner.stop({ threadId: input.threadId, runId: 'another' })).toBe(false);
    expect(await runner.stop({ threadId: input.threadId })).toBe(true);
    expect(await runner.stop({ threadId: input.threadId })).toBe(false);

    expect((await events).slice(-2).map((e) => e.type)).toEqual(['TEXT_MESSAGE_END', 'RUN_FINISHED']);
    expect(tornDown()).toBe(1);
    subject.next({ type: 'TEXT_MESSAGE_CONTENT', messageId: 'm', delta: 'ignored' } as BaseEvent);
    const replay = await collect(runner.connect({ threadId: input.threadId }));
    expect(replay.at(-1)).toEqual({ type: 'RUN_FINISHED', threadId: input.threadId, runId: input.runId });
  });

  it('announces only the messages the thread has not seen yet', async () => {
    const runner = new InMemoryAgentRunner();
    const first = runInput({ text: 'one' });
    await startRun(runner, { history: 'client', agentId: 'a', agent: new ScriptedAgent(), input: first });
    const second = runInput({ threadId: first.threadId, text: 'two' });
    second.messages = [...first.messages, { id: `msg-${first.runId}`, role: 'assistant', content: 'You said: one.' }, ...second.messages];

    const events = await collect(await startRun(runner, { history: 'client', agentId: 'a', agent: new ScriptedAgent(), input: second }));

    const announced = (events[0] as BaseEvent & { input: { messages: Array<{ content: string }> } }).input.messages;
    expect(announced.map((m) => m.content)).toEqual(['two']);
  });

  it('forgets the least recently used idle threads beyond maxThreads, never a running one', async () => {
    const runner = new InMemoryAgentRunner({ maxThreads: 2 });
    const { agent } = manualAgent();
    const running = runInput();
    await startRun(runner, { history: 'client', agentId: 'a', agent, input: running });
    const idle = [runInput(), runInput()];
    for (const input of idle) await startRun(runner, { history: 'client', agentId: 'a', agent: new ScriptedAgent(), input });

    expect(await runner.isRunning({ threadId: running.threadId })).toBe(true);
    expect(await collect(runner.connect({ threadId: idle[0].threadId }))).toEqual([]);
    expect((await collect(runner.connect({ threadId: idle[1].threadId }))).length).toBeGreaterThan(0);
  });

  it('keeps at most maxRunsPerThread runs per thread, dropping the oldest', async () => {
    const runner = new InMemoryAgentRunner({ maxRunsPerThread: 2 });
    const threadId = 'thread';
    const runIds = ['r1', 'r2', 'r3'];
    for (const runId of runIds)
      await startRun(runner, { history: 'client', agentId: 'a', agent: new ScriptedAgent(), input: runInput({ threadId, runId }) });

    const replay = await collect(runner.connect({ threadId }));
    const started = replay.filter((e) => e.type === 'RUN_STARTED') as Array<BaseEvent & { runId: string }>;
    expect(started.map((e) => e.runId)).toEqual(['r2', 'r3']);
  });

  it('turns an agent that throws on run() into a RUN_ERROR run, and frees the thread', async () => {
    const runner = new InMemoryAgentRunner();
    const input = runInput();
    const agent: AgUiAgent = {
      run: () => {
        throw new Error('secret');
      },
    };
    const events = await collect(await startRun(runner, { history: 'client', agentId: 'a', agent, input }));
    expect(events.map((e) => e.type)).toEqual(['RUN_STARTED', 'RUN_ERROR']);
    expect(JSON.stringify(events)).not.toContain('secret');
    expect(await runner.isRunning({ threadId: input.threadId })).toBe(false);
  });

  it('rejects limits that are not positive integers', () => {
    expect(() => new InMemoryAgentRunner({ maxThreads: 0 })).toThrow(/maxThreads/);
    expect(() => new InMemoryAgentRunner({ maxRunsPerThread: 1.5 })).toThrow(/maxRunsPerThread/);
  });
});
