import type { Socket } from 'node:net';
import { runInput } from '../fixtures/sse-client.js';
import { AgentProbe, ScriptedAgent } from '../fixtures/test-agents.js';
import { startCopilotKit, type TestApp } from '../fixtures/test-app.js';

/**
 * How a stream's bytes leave: the events an agent emits in one turn of the event loop in one
 * socket write (Nest's SSE writer alone makes one per event), and nothing held back beyond that turn.
 */
describe('stream writes', () => {
  let server: TestApp;
  /** Writes each server-side socket handed to the kernel (a writev of many chunks counts once). */
  const flushes = new Map<Socket, number>();

  beforeAll(async () => {
    const probe = new AgentProbe();
    server = await startCopilotKit({
      agents: {
        burst: new ScriptedAgent(probe, { deltas: () => Array.from({ length: 40 }, (_, i) => `${i} `) }),
        paced: new ScriptedAgent(probe, { delayMs: 60, deltas: () => ['a', 'b', 'c', 'd'] }),
      },
    });
    server.app.getHttpServer().on('connection', (socket: Socket) => {
      const counted = socket as Socket & Record<'_write' | '_writev', (...args: unknown[]) => unknown>;
      for (const method of ['_write', '_writev'] as const) {
        const original = counted[method];
        counted[method] = function (this: Socket, ...args: unknown[]) {
          flushes.set(socket, (flushes.get(socket) ?? 0) + 1);
          return original.apply(this, args);
        };
      }
    });
  });
  afterAll(() => server.close());

  /** Posts and reads the stream to its end on a connection of its own; returns the writes and each read's time. */
  async function stream(
    path: string,
    body: unknown,
  ): Promise<{ writes: number; reads: Array<{ at: number; text: string }>; text: string }> {
    flushes.clear();
    const started = Date.now();
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', connection: 'close' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    const reads: Array<{ at: number; text: string }> = [];
    const decoder = new TextDecoder();
    const reader = response.body!.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      reads.push({ at: Date.now() - started, text: decoder.decode(read.value) });
    }
    const writes = [...flushes.values()].reduce((sum, count) => sum + count, 0);
    return { writes, reads, text: reads.map((read) => read.text).join('') };
  }

  it('sends the events of one turn in one write: 44 events, not 44 writes', async () => {
    const { writes, text } = await stream('/agent/burst/run', runInput());

    expect(text.match(/^data: /gm)).toHaveLength(44);
    // The response head may leave on its own; the events do not.
    expect(writes).toBeLessThanOrEqual(2);
  });

  it('does the same on the single-route transport', async () => {
    const { writes, text } = await stream('', { method: 'agent/run', params: { agentId: 'burst' }, body: runInput() });

    expect(text.match(/^data: /gm)).toHaveLength(44);
    expect(writes).toBeLessThanOrEqual(2);
  });

  it('holds nothing back past its turn: a paced run arrives event by event, as it is produced', async () => {
    const { reads } = await stream('/agent/paced/run', runInput());

    const arrivals = ['a', 'b', 'c', 'd'].map((delta) => reads.find((read) => read.text.includes(`"delta":"${delta}"`))!.at);
    // 60 ms apart when produced; a stream held until its end would deliver them together.
    for (let i = 1; i < arrivals.length; i++) expect(arrivals[i] - arrivals[i - 1]).toBeGreaterThanOrEqual(30);
  });
});
