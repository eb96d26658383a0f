import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { AbstractAgent, HttpAgent } from '@ag-ui/client';
import { EventType, type BaseEvent, type Message, type RunAgentInput } from '@ag-ui/core';
import { from, Observable } from 'rxjs';
import { InMemoryAgentRunner, SqliteAgentRunner, type AgentRunner, type AgUiAgent } from '../../lib/index.js';
import { startChildApp } from '../fixtures/child-app.js';
import { startCopilotKit, type TestApp } from '../fixtures/test-app.js';
import { openSse, parseSseFrames, postJson, postSse, runInput } from '../fixtures/sse-client.js';

/** A run with two text messages, a tool call with its result and state, one event every few ms. */
class ChattyAgent implements AgUiAgent {
  static lastInput: RunAgentInput | undefined;

  run(input: RunAgentInput): Observable<BaseEvent> {
    ChattyAgent.lastInput = input;
    const { threadId, runId } = input;
    const a = `a-${runId}`;
    const b = `b-${runId}`;
    const tool = `t-${runId}`;
    const events = [
      { type: EventType.RUN_STARTED, threadId, runId },
      { type: EventType.TEXT_MESSAGE_START, messageId: a, role: 'assistant' },
      ...Array.from({ length: 8 }, (_, i) => ({ type: EventType.TEXT_MESSAGE_CONTENT, messageId: a, delta: `first${i} ` })),
      { type: EventType.TOOL_CALL_START, toolCallId: tool, toolCallName: 'lookup', parentMessageId: a },
      ...['{"q":', '"dogs"', '}'].map((delta) => ({ type: EventType.TOOL_CALL_ARGS, toolCallId: tool, delta })),
      { type: EventType.TEXT_MESSAGE_END, messageId: a },
      { type: EventType.TOOL_CALL_END, toolCallId: tool },
      { type: EventType.TOOL_CALL_RESULT, messageId: `r-${runId}`, toolCallId: tool, content: '3 dogs' },
      { type: EventType.STATE_SNAPSHOT, snapshot: { found: 3 } },
      { type: EventType.TEXT_MESSAGE_START, messageId: b, role: 'assistant' },
      ...Array.from({ length: 8 }, (_, i) => ({ type: EventType.TEXT_MESSAGE_CONTENT, messageId: b, delta: `second${i} ` })),
      { type: EventType.TEXT_MESSAGE_END, messageId: b },
      { type: EventType.RUN_FINISHED, threadId, runId },
    ] as BaseEvent[];
    return new Observable<BaseEvent>((subscriber) => {
      let i = 0;
      const timer = setInterval(() => {
        subscriber.next(events[i++]);
        if (i === events.length) {
          clearInterval(timer);
          subscriber.complete();
        }
      }, 3);
      return () => clearInterval(timer);
    });
  }
}

/** The official client's reducer and verifier, fed one stream after another, as a reconnecting client would be. */
class ReplayAgent extends AbstractAgent {
  events: BaseEvent[] = [];
  override run(): Observable<BaseEvent> {
    return from(this.events);
  }
}
async function messagesAfter(...streams: BaseEvent[][]): Promise<Message[]> {
  const agent = new ReplayAgent();
  for (const events of streams) {
    agent.events = events;
    await agent.runAgent();
  }
  return agent.messages;
}

const dir = mkdtempSync(join(tmpdir(), 'copilotkit-durability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sqlitePath = (name: string) => join(dir, `${name}.sqlite`);

describe.each<[string, () => AgentRunner]>([
  ['InMemoryAgentRunner', () => new InMemoryAgentRunner()],
  ['SqliteAgentRunner', () => new SqliteAgentRunner({ path: sqlitePath(randomUUID()) })],
])('resuming a stream with Last-Event-ID on %s', (_name, createRunner) => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startCopilotKit({ agents: { chatty: new ChattyAgent() }, runner: createRunner() });
  });
  afterAll(() => server.close());

  async function dropAndResume(url: string, body: unknown, dropAfter: number, resumeDelayMs: number) {
    const stream = await openSse(url, body);
    await stream.waitFor(() => stream.events.length >= dropAfter);
    const received = stream.events.slice(0, dropAfter);
    const lastId = stream.ids[dropAfter - 1]!;
    stream.abort();
    await stream.done;
    await new Promise((resolve) => setTimeout(resolve, resumeDelayMs));
    const resumed = await postSse(
      `${server.url}/agent/chatty/connect`,
      { threadId: (body as { threadId: string }).threadId },
      {
        headers: { 'Last-Event-ID': lastId },
      },
    );
    return { received, resumed: resumed.events };
  }

  // Drop points across the run, before and after the run has finished when the client comes back.
  it.each([1, 2, 6, 11, 14, 17, 19, 24, 28, 29])('ends with the same messages after a drop at event %i', async (dropAfter) => {
    const input = runInput({ text: `drop at ${dropAfter}` });
    const { received, resumed } = await dropAndResume(`${server.url}/agent/chatty/run`, input, dropAfter, dropAfter % 2 ? 0 : 120);
    const full = await postSse(`${server.url}/agent/chatty/connect`, { threadId: input.threadId });

    const reference = await messagesAfter(full.events);
    expect(await messagesAfter(received, resumed)).toEqual(reference);
    expect(reference.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    // Nothing the client already had is sent again.
    const resentContent = resumed.filter(
      (e) => e.type === 'TEXT_MESSAGE_CONTENT' && received.some((r) => r.type === e.type && r.delta === e.delta),
    );
    expect(resentContent).toEqual([]);
  });

  it('answers 409 to a run that reuses a run id of the thread, and the thread goes on', async () => {
    const input = runInput();
    await postSse(`${server.url}/agent/chatty/run`, input);
    const again = await postJson(`${server.url}/agent/chatty/run`, input);
    expect(again).toMatchObject({ status: 409, json: { error: 'Run id already used' } });
    expect((await postSse(`${server.url}/agent/chatty/run`, runInput({ threadId: input.threadId }))).status).toBe(200);
  });

  it('resumes a compacted replay too (a client that dropped while catching up)', async () => {
    const input = runInput();
    await postSse(`${server.url}/agent/chatty/run`, input);
    await postSse(`${server.url}/agent/chatty/run`, { ...runInput({ threadId: input.threadId, text: 'again' }) });
    const { received, resumed } = await dropAndResume(`${server.url}/agent/chatty/connect`, { threadId: input.threadId }, 7, 0);
    const full = await postSse(`${server.url}/agent/chatty/connect`, { threadId: input.threadId });
    expect(await messagesAfter(received, resumed)).toEqual(await messagesAfter(full.events));
  });

  it('reads the resume point from the body (lastSeenEventId) as well', async () => {
    const input = runInput();
    const run = await postSse(`${server.url}/agent/chatty/run`, input);
    const frames = parseSseFrames(run.body);
    const resumed = await postSse(`${server.url}/agent/chatty/connect`, {
      threadId: input.threadId,
      lastSeenEventId: frames[frames.length - 3].id,
    });
    expect(resumed.events.map((e) => e.type)).toEqual(['RUN_STARTED', 'TEXT_MESSAGE_START', 'TEXT_MESSAGE_END', 'RUN_FINISHED']);
  });
});

describe('SqliteAgentRunner across restarts', () => {
  it('replays the full history after a restart, and a new run continues it', async () => {
    const path = sqlitePath('restart');
    const first = await startCopilotKit({ agents: { chatty: new ChattyAgent() }, runner: new SqliteAgentRunner({ path }) });
    const input = runInput({ text: 'remember the dogs' });
    await postSse(`${first.url}/agent/chatty/run`, input);
    const before = await postSse(`${first.url}/agent/chatty/connect`, { threadId: input.threadId });
    await first.close();

    const second = await startCopilotKit({ agents: { chatty: new ChattyAgent() }, runner: new SqliteAgentRunner({ path }) });
    try {
      const after = await postSse(`${second.url}/agent/chatty/connect`, { threadId: input.threadId });
      expect(after.body).toBe(before.body);
      expect(after.events.map((e) => e.type)).toEqual(expect.arrayContaining(['TOOL_CALL_RESULT', 'STATE_SNAPSHOT']));

      // A fresh client (no local history) rebuilds the conversation and goes on with it.
      const client = new HttpAgent({ url: `${second.url}/agent/chatty/connect`, threadId: input.threadId });
      await client.runAgent();
      expect(client.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
      client.url = `${second.url}/agent/chatty/run`;
      client.addMessage({ id: randomUUID(), role: 'user', content: 'and cats?' });
      await client.runAgent();
      expect(ChattyAgent.lastInput!.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user']);
    } finally {
      await second.close();
    }
  });

  it('closes a run cut off by a killed process, and the thread is usable again', async () => {
    const path = sqlitePath('crash');
    const child = await startChildApp(['sqlite', path]);
    const input = runInput({ text: 'go on forever' });
    const stream = await openSse(`${child.origin}/copilotkit/agent/endless/run`, input);
    await stream.waitFor(() => stream.events.filter((e) => e.type === 'TEXT_MESSAGE_CONTENT').length >= 5);
    await child.kill();
    await stream.done;

    const server = await startCopilotKit({ agents: { endless: new ChattyAgent() }, runner: new SqliteAgentRunner({ path }) });
    try {
      const replay = await postSse(`${server.url}/agent/endless/connect`, { threadId: input.threadId });
      const types = replay.events.map((e) => e.type);
      // Compacted: the text merged into one content event; both constructs closed, the open tool
      // call answered, and the run ended with an error that says what happened.
      expect(types).toEqual([
        'RUN_STARTED',
        'TEXT_MESSAGE_START',
        'TEXT_MESSAGE_CONTENT',
        'TEXT_MESSAGE_END',
        'TOOL_CALL_START',
        'TOOL_CALL_END',
        'TOOL_CALL_RESULT',
        'RUN_ERROR',
      ]);
      expect(replay.events.at(-1)).toEqual({
        type: 'RUN_ERROR',
        message: 'The server stopped before this run finished.',
        code: 'INTERRUPTED',
      });
      // The client saw w0..w4; the store may miss the last event-loop turn's batch (RunPersistence).
      expect(replay.events.find((e) => e.type === 'TEXT_MESSAGE_CONTENT')?.delta).toMatch(/^w0 w1 w2 w3 /);
      expect(await messagesAfter(replay.events)).toHaveLength(3);

      const next = await postSse(`${server.url}/agent/endless/run`, runInput({ threadId: input.threadId, text: 'try again' }));
      expect(next.status).toBe(200);
      expect(next.events.at(-1)?.type).toBe('RUN_FINISHED');
    } finally {
      await server.close();
    }
  });

  it('deletes what retention no longer keeps', async () => {
    const path = sqlitePath('retention');
    const first = await startCopilotKit({ agents: { chatty: new ChattyAgent() }, runner: new SqliteAgentRunner({ path }) });
    const threads = [runInput(), runInput(), runInput()];
    for (const input of threads) await postSse(`${first.url}/agent/chatty/run`, input);
    await first.close();

    const second = await startCopilotKit({
      agents: { chatty: new ChattyAgent() },
      runner: new SqliteAgentRunner({ path, retention: { maxThreads: 2 } }),
    });
    try {
      const listed = await (await fetch(`${second.url}/threads`)).json();
      expect(listed.threads.map((t: { id: string }) => t.id)).toEqual([threads[2].threadId, threads[1].threadId]);
      const gone = await postSse(`${second.url}/agent/chatty/connect`, { threadId: threads[0].threadId });
      expect(gone.events).toEqual([]);
    } finally {
      await second.close();
    }

    const aged = await startCopilotKit({
      agents: { chatty: new ChattyAgent() },
      runner: new SqliteAgentRunner({ path, retention: { maxAgeMs: 1 } }),
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await (await fetch(`${aged.url}/threads`)).json()).threads).toEqual([]);
    } finally {
      await aged.close();
    }
  });
});
