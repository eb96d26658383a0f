import { randomUUID } from 'node:crypto';
import { AgentProbe, ScriptedAgent } from '../fixtures/test-agents.js';
import { startCopilotKit, type TestApp } from '../fixtures/test-app.js';
import { openSse, postJson, postSse, runInput } from '../fixtures/sse-client.js';

/** The wire itself: statuses, bodies, headers and framing, as any client sees them. */
describe('CopilotKit v2 protocol over HTTP', () => {
  let server: TestApp;
  const echo = new AgentProbe();
  const slow = new AgentProbe();

  beforeAll(async () => {
    server = await startCopilotKit({
      agents: {
        echo: new ScriptedAgent(echo),
        slow: new ScriptedAgent(slow, { delayMs: 40, deltas: () => Array.from({ length: 200 }, (_, i) => `${i} `) }),
        broken: new ScriptedAgent(new AgentProbe(), { failWith: new Error('db password=hunter2 refused') }),
      },
    });
  });
  afterAll(() => server.close());

  describe('GET /info', () => {
    it('describes the agents and says truthfully what the server serves', async () => {
      const response = await fetch(`${server.url}/info`);
      expect(response.status).toBe(200);
      const info = await response.json();
      expect(info).toEqual({
        version: expect.any(String),
        agents: {
          echo: { name: 'echo', className: 'ScriptedAgent', description: 'Answers with scripted text.' },
          slow: expect.objectContaining({ name: 'slow' }),
          broken: expect.objectContaining({ name: 'broken' }),
        },
        audioFileTranscriptionEnabled: false,
        mode: 'sse',
        threadEndpoints: { list: true, inspect: true, mutations: true, realtimeMetadata: false },
        suggestions: true,
        a2uiEnabled: false,
        openGenerativeUIEnabled: false,
        telemetryDisabled: true,
      });
    });
  });

  describe('POST /agent/:agentId/run', () => {
    it('streams data-only SSE frames with LF framing and the streaming headers', async () => {
      const input = runInput({ text: 'frame me' });
      const result = await postSse(`${server.url}/agent/echo/run`, input);

      expect(result.status).toBe(200);
      expect(result.headers.get('content-type')).toBe('text/event-stream');
      // no-transform keeps compression() from buffering the stream, X-Accel-Buffering nginx.
      expect(result.headers.get('cache-control')).toMatch(/\bno-cache\b.*\bno-transform\b/);
      expect(result.headers.get('x-accel-buffering')).toBe('no');
      expect(result.body).not.toContain('\r');
      // Nest opens every stream with an empty line, which SSE parsers skip.
      expect(result.body.startsWith('\nid: ')).toBe(true);
      const frames = result.body.slice(1).split('\n\n').filter(Boolean);
      // One id line (run and sequence, for Last-Event-ID) and one data line per event.
      frames.forEach((frame, seq) => expect(frame).toMatch(new RegExp(`^id: ${input.runId}:${seq}\ndata: \\{.*\\}$`)));
      expect(frames).toHaveLength(result.events.length);
      expect(result.events.map((e) => e.type)).toEqual([
        'RUN_STARTED',
        'TEXT_MESSAGE_START',
        'TEXT_MESSAGE_CONTENT',
        'TEXT_MESSAGE_CONTENT',
        'TEXT_MESSAGE_CONTENT',
        'TEXT_MESSAGE_END',
        'RUN_FINISHED',
      ]);
    });

    it('opens with RUN_STARTED carrying the input and ends with a terminal event carrying the ids', async () => {
      const input = runInput();
      const { events } = await postSse(`${server.url}/agent/echo/run`, input);

      expect(events[0]).toMatchObject({ type: 'RUN_STARTED', threadId: input.threadId, runId: input.runId });
      expect(events[0].input.messages).toEqual(input.messages);
      expect(events.at(-1)).toEqual({ type: 'RUN_FINISHED', threadId: input.threadId, runId: input.runId });
    });

    it('answers 404 JSON for an unknown agent, before any stream', async () => {
      const { status, json, headers } = await postJson(`${server.url}/agent/nobody/run`, runInput());
      expect(status).toBe(404);
      expect(headers.get('content-type')).toMatch(/^application\/json/);
      expect(json).toEqual({ statusCode: 404, error: 'Agent not found', message: "Agent 'nobody' does not exist." });
    });

    it('answers 400 JSON for a body that is not JSON', async () => {
      const { status, json } = await postJson(`${server.url}/agent/echo/run`, '{"threadId": ');
      expect(status).toBe(400);
      expect(json).toMatchObject({ statusCode: 400 });
    });

    it.each([
      ['a missing threadId', { ...runInput(), threadId: undefined }, 'threadId'],
      ['messages of the wrong type', { ...runInput(), messages: 'hello' }, 'messages'],
      ['a message with an unknown role', { ...runInput(), messages: [{ id: '1', role: 'robot', content: 'x' }] }, 'messages[0].role'],
      ['an array body', [runInput()], ''],
    ])('answers 400 JSON naming the field for %s', async (_case, body, field) => {
      const { status, json } = await postJson(`${server.url}/agent/echo/run`, body);
      expect(status).toBe(400);
      expect(json.error).toBe('Invalid request body');
      expect(json.details[0].field).toBe(field);
      if (field) expect(json.message).toContain(field);
    });

    it('accepts the extra fields newer clients send (protocolVersion)', async () => {
      const result = await postSse(`${server.url}/agent/echo/run`, { ...runInput(), protocolVersion: '1.0' });
      expect(result.status).toBe(200);
      expect(result.events.at(-1)?.type).toBe('RUN_FINISHED');
    });

    it('answers 409 JSON to a second run on a thread that is running, and the first run is unharmed', async () => {
      const first = runInput();
      const stream = await openSse(`${server.url}/agent/slow/run`, first);
      await stream.waitFor((e) => e.type === 'TEXT_MESSAGE_CONTENT');

      const { status, json } = await postJson(`${server.url}/agent/slow/run`, runInput({ threadId: first.threadId }));

      expect(status).toBe(409);
      expect(json).toMatchObject({ statusCode: 409, error: 'Thread already running' });
      await postJson(`${server.url}/agent/slow/stop/${first.threadId}`);
      await stream.done;
      expect(stream.events.at(-1)).toMatchObject({ type: 'RUN_FINISHED', runId: first.runId });
    });

    it('turns an agent failure into a RUN_ERROR event without leaking its message', async () => {
      const { status, events, body } = await postSse(`${server.url}/agent/broken/run`, runInput());
      expect(status).toBe(200);
      expect(events.at(-1)).toEqual({ type: 'RUN_ERROR', message: 'The agent failed.', code: 'AGENT_ERROR' });
      expect(body).not.toContain('hunter2');
      expect(body).not.toContain('event: error');
    });

    it('answers 405 with Allow for a wrong method', async () => {
      const run = await fetch(`${server.url}/agent/echo/run`);
      expect(run.status).toBe(405);
      expect(run.headers.get('allow')).toBe('POST');
      expect(await run.json()).toMatchObject({ statusCode: 405 });
      const info = await fetch(`${server.url}/info`, { method: 'POST' });
      expect(info.status).toBe(405);
      expect(info.headers.get('allow')).toBe('GET');
    });
  });

  describe('POST /agent/:agentId/stop/:threadId', () => {
    it('ends a slow run promptly with closed events, and the agent sees the abort', async () => {
      const input = runInput();
      const runsBefore = slow.teardowns;
      const abortsBefore = slow.abortRunCalls;
      const stream = await openSse(`${server.url}/agent/slow/run`, input);
      await stream.waitFor((e) => e.type === 'TEXT_MESSAGE_CONTENT');

      const stoppedAt = Date.now();
      const { status, json } = await postJson(`${server.url}/agent/slow/stop/${input.threadId}`);
      await stream.done;

      expect(status).toBe(200);
      expect(json).toEqual({ stopped: true });
      expect(stream.endedAt! - stoppedAt).toBeLessThan(500);
      expect(stream.events.slice(-2)).toEqual([
        { type: 'TEXT_MESSAGE_END', messageId: `msg-${input.runId}` },
        { type: 'RUN_FINISHED', threadId: input.threadId, runId: input.runId },
      ]);
      expect(slow.teardowns).toBe(runsBefore + 1);
      expect(slow.abortRunCalls).toBe(abortsBefore + 1);

      const again = await postJson(`${server.url}/agent/slow/stop/${input.threadId}`);
      expect(again.json).toEqual({ stopped: false, message: `No active run for thread '${input.threadId}'.` });
    });

    it('stops only the named run when a runId is given', async () => {
      const input = runInput();
      const stream = await openSse(`${server.url}/agent/slow/run`, input);
      await stream.waitFor((e) => e.type === 'TEXT_MESSAGE_CONTENT');

      const stale = await postJson(`${server.url}/agent/slow/stop/${input.threadId}`, { runId: 'an-older-run' });
      expect(stale.json.stopped).toBe(false);
      const exact = await postJson(`${server.url}/agent/slow/stop/${input.threadId}`, { runId: input.runId });
      expect(exact.json).toEqual({ stopped: true });
      await stream.done;
    });

    it('answers 404 for an unknown agent', async () => {
      const { status } = await postJson(`${server.url}/agent/nobody/stop/${randomUUID()}`);
      expect(status).toBe(404);
    });
  });

  describe('POST /agent/:agentId/connect', () => {
    it('is an empty stream that ends at once for a thread nobody ran', async () => {
      const result = await postSse(`${server.url}/agent/echo/connect`, runInput());
      expect(result.status).toBe(200);
      expect(result.headers.get('content-type')).toBe('text/event-stream');
      expect(result.events).toEqual([]);
    });

    it('replays every run of the thread, compacted, each with its new messages only', async () => {
      const first = runInput({ text: 'first' });
      await postSse(`${server.url}/agent/echo/run`, first);
      const second = runInput({ threadId: first.threadId, text: 'second' });
      second.messages = [
        ...first.messages,
        { id: `msg-${first.runId}`, role: 'assistant', content: 'You said: first.' },
        ...second.messages,
      ];
      await postSse(`${server.url}/agent/echo/run`, second);

      const { events } = await postSse(`${server.url}/agent/echo/connect`, { threadId: first.threadId });

      expect(events.map((e) => e.type)).toEqual([
        'RUN_STARTED',
        'TEXT_MESSAGE_START',
        'TEXT_MESSAGE_CONTENT',
        'TEXT_MESSAGE_END',
        'RUN_FINISHED',
        'RUN_STARTED',
        'TEXT_MESSAGE_START',
        'TEXT_MESSAGE_CONTENT',
        'TEXT_MESSAGE_END',
        'RUN_FINISHED',
      ]);
      expect(events[2].delta).toBe('You said: first.');
      expect(events[5].input.messages.map((m: { content: string }) => m.content)).toEqual(['second']);
    });

    it('attaches to a live run: history so far, then the rest as it happens', async () => {
      const input = runInput();
      const running = await openSse(`${server.url}/agent/slow/run`, input);
      await running.waitFor((e) => e.type === 'TEXT_MESSAGE_CONTENT');

      const follower = await openSse(`${server.url}/agent/slow/connect`, { threadId: input.threadId });
      await follower.waitFor((e) => e.type === 'TEXT_MESSAGE_CONTENT');
      await postJson(`${server.url}/agent/slow/stop/${input.threadId}`);
      await Promise.all([running.done, follower.done]);

      expect(follower.events[0]).toMatchObject({ type: 'RUN_STARTED', runId: input.runId });
      expect(follower.events.at(-1)).toMatchObject({ type: 'RUN_FINISHED', runId: input.runId });
      expect(follower.events).toEqual(running.events);
    });

    it('answers 400 without a threadId', async () => {
      const { status, json } = await postJson(`${server.url}/agent/echo/connect`, {});
      expect(status).toBe(400);
      expect(json.details[0].field).toBe('threadId');
    });
  });
});
