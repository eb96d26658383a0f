import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { HttpAgent } from '@ag-ui/client';
import { HttpAgent as HttpAgent0059 } from 'ag-ui-client-0059';
import type { BaseEvent } from '@ag-ui/core';
import { jest } from '@jest/globals';
import { LlmMock } from '../fixtures/llm-mock.js';
import { openSse, postJson, postSse, runInput } from '../fixtures/sse-client.js';
import { fuzzRequest, seeded } from './fuzz.js';
import { startReliabilityServer, type ReliabilityServer } from './reliability-server.js';

/**
 * What happens when things go wrong, measured against the app in its own process. Every figure is
 * printed at the end and each is a hard assertion.
 */
const figures: string[] = [];
afterAll(() => console.log(`reliability figures\n  ${figures.join('\n  ')}`));

const answer = 'All systems nominal. '.repeat(19).slice(0, 400);
const longAnswer = answer.repeat(3);

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

describe('reliability', () => {
  const llm = new LlmMock();
  let server: ReliabilityServer;

  beforeAll(async () => {
    await llm.start();
    llm.server.onMessage('weather', { content: answer }, { latency: 2 });
    // 150 chunks over 3 s: a stop lands while aimock is still writing, however far a loaded
    // server lags behind what it was sent, so every stop that cuts a run short aborts its request.
    llm.server.onMessage('a long forecast', { content: longAnswer }, {
      chunkSize: 8,
      streamingProfile: { ttft: 5, tps: 50 },
    } as never);
    server = await startReliabilityServer({ LLM_URL: llm.server.url, MAX_THREADS: '5000' });
  });
  afterAll(async () => {
    server.child.kill('SIGKILL');
    await llm.stop();
  });

  it('survives 1,000 clients that go away at random points of their runs', async () => {
    const random = seeded(7);
    const threadOf = (path: string) => `${server.url}${path}`;
    for (let i = 0; i < 20; i++) {
      const warm = runInput({ text: 'weather' });
      await postSse(threadOf('/agent/default/run'), warm);
      await fetch(threadOf(`/threads/${warm.threadId}`), { method: 'DELETE' });
    }
    const baseline = (await server.stats()).heapUsed;
    const upstreamBefore = { ...llm.connections };

    let disconnects = 0;
    let stops = 0;
    let stoppedMidRun = 0;
    let stoppedShort = 0;
    const streamed: string[] = [];
    const early: string[] = [];
    const problems: string[] = [];
    await pool(1000, 50, async () => {
      // A long answer, streamed slowly: every stop below lands mid-run, so each must abort the model's stream.
      const input = runInput({ text: 'a long forecast' });
      const style = random();
      if (style < 0.2) {
        // Gone before the response starts.
        const controller = new AbortController();
        setTimeout(() => controller.abort(), Math.floor(random() * 5));
        await fetch(threadOf('/agent/default/run'), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(input),
          signal: controller.signal,
        })
          .then((response) => response.body?.cancel())
          .catch(() => undefined);
        early.push(input.threadId);
        disconnects++;
        return;
      }
      const stream = await openSse(threadOf('/agent/default/run'), input);
      streamed.push(input.threadId);
      const after = 1 + Math.floor(random() * 70);
      await stream.waitFor(() => stream.events.length >= after).catch(() => undefined);
      if (stream.events[0]?.type !== 'RUN_STARTED') problems.push(`run ${input.runId} did not start: ${stream.events.length} events`);
      if (style < 0.85) {
        stream.abort();
        disconnects++;
        await stream.done;
        return;
      }
      const stop = await postJson(threadOf(`/agent/default/stop/${input.threadId}`));
      stops++;
      await stream.done;
      if (stop.status !== 200) problems.push(`stop of ${input.runId}: ${stop.status} ${JSON.stringify(stop.json)}`);
      // A loaded client may read behind the server: a run it still streams can have ended already.
      if (stop.json?.stopped === true) {
        stoppedMidRun++;
        const text = stream.events
          .filter((event) => event.type === 'TEXT_MESSAGE_CONTENT')
          .map((event) => event.delta)
          .join('');
        // Cut short: the model was still streaming, so its request must have been aborted.
        if (text.length < longAnswer.length) stoppedShort++;
      } else if (stream.events.filter((event) => event.type === 'TEXT_MESSAGE_CONTENT').length < 100) {
        problems.push(`stop of ${input.runId} found no run, yet its stream was cut short`);
      }
      if (stream.events.at(-1)?.type !== 'RUN_FINISHED')
        problems.push(`stopped run ${input.runId} ended with ${stream.events.at(-1)?.type}`);
    });

    const upstreamClosed = await until(() => llm.connections.open === 0, 20_000);
    const upstream = {
      completed: llm.connections.completed - upstreamBefore.completed,
      aborted: llm.connections.aborted - upstreamBefore.aborted,
    };
    // Every run that got a stream is stored to its end and its thread is free again.
    await pool(streamed.length, 25, async (i) => {
      const replay = await postSse(threadOf('/agent/default/connect'), { threadId: streamed[i] });
      const last = replay.events.at(-1)?.type;
      if (replay.status !== 200 || (last !== 'RUN_FINISHED' && last !== 'RUN_ERROR')) {
        problems.push(`thread ${streamed[i]}: connect ${replay.status}, replay ends with ${last}`);
      }
      const deleted = await fetch(threadOf(`/threads/${streamed[i]}`), { method: 'DELETE' });
      if (deleted.status !== 200) problems.push(`thread ${streamed[i]}: delete ${deleted.status}`);
    });
    // A client gone before its response may still have started a run: its thread goes too.
    await pool(early.length, 25, async (i) => {
      await postSse(threadOf('/agent/default/connect'), { threadId: early[i] });
      await fetch(threadOf(`/threads/${early[i]}`), { method: 'DELETE' });
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { unhandled, heapUsed } = await server.stats();
    const growthMiB = (heapUsed - baseline) / 2 ** 20;
    const crashed = server.child.exitCode !== null ? 1 : 0;
    figures.push(
      `disconnects: ${disconnects}, stops: ${stops}, runs checked: ${streamed.length}, problems: ${problems.length}, stopped mid-run: ${stoppedMidRun} (cut short: ${stoppedShort}), upstream aborted: ${upstream.aborted}, completed: ${upstream.completed}, crashes: ${crashed}, unhandled rejections: ${unhandled}, leaked upstream: ${llm.connections.open}, heap growth once the threads are deleted: ${growthMiB.toFixed(1)} MiB`,
    );

    expect(problems.slice(0, 5)).toEqual([]);
    expect(disconnects + stops).toBe(1000);
    // The mock saw the request of each run stopped mid-stream cut off, and no other.
    expect(stoppedShort).toBeGreaterThan(stops / 2);
    expect(upstream.aborted).toBeGreaterThanOrEqual(stoppedShort);
    expect(upstream.aborted).toBeLessThanOrEqual(stoppedMidRun);
    expect(upstream.completed).toBeGreaterThanOrEqual(streamed.length - stops);
    expect(crashed).toBe(0);
    expect(unhandled).toBe(0);
    expect(server.stderr()).not.toMatch(/UNHANDLED|UNCAUGHT/);
    expect(upstreamClosed).toBe(true);
    expect(growthMiB).toBeLessThan(8);
    expect((await fetch(threadOf('/info'))).status).toBe(200);
  }, 180_000);

  it('answers 10,000 fuzzed requests on every route with 4xx JSON at worst, and keeps serving', async () => {
    const random = seeded(42);
    let serverErrors = 0;
    let nonJson4xx = 0;
    let rejected = 0;
    const samples: string[] = [];
    // Real threads of a real user, so that the thread routes reach real rows, the owner and others alike.
    const owner = { headers: { 'x-user': 'owner' } };
    const threads: string[] = [];
    for (let i = 0; i < 5; i++) {
      const input = runInput({ text: 'weather' });
      expect((await postSse(`${server.url}/agent/default/run`, input, owner)).events.at(-1)?.type).toBe('RUN_FINISHED');
      threads.push(input.threadId);
    }
    await pool(10_000, 32, async () => {
      const request = fuzzRequest(random, threads);
      try {
        const response = await fetch(`${server.url}${request.path}`, {
          method: request.method,
          headers: request.headers,
          body: request.body,
        });
        const type = response.headers.get('content-type') ?? '';
        const text = await response.text();
        if (response.status >= 500) {
          serverErrors++;
          if (samples.length < 3) samples.push(`${request.method} ${request.path} -> ${response.status} ${text.slice(0, 120)}`);
        } else if (response.status >= 400) {
          rejected++;
          let parsed = type.includes('application/json');
          try {
            JSON.parse(text);
          } catch {
            parsed = false;
          }
          if (!parsed) {
            nonJson4xx++;
            if (samples.length < 3) samples.push(`${request.method} ${request.path} -> ${response.status} ${type} ${text.slice(0, 120)}`);
          }
        }
      } catch (error) {
        serverErrors++;
        if (samples.length < 3) samples.push(`${request.method} ${request.path} -> ${String(error)}`);
      }
    });
    const { unhandled } = await server.stats();
    figures.push(
      `fuzzed requests: 10000, rejected with 4xx: ${rejected}, 5xx or dropped: ${serverErrors}, non-JSON 4xx: ${nonJson4xx}, unhandled rejections: ${unhandled}`,
    );

    expect(samples).toEqual([]);
    expect(serverErrors).toBe(0);
    expect(nonJson4xx).toBe(0);
    expect(unhandled).toBe(0);
    expect(server.child.exitCode).toBeNull();
    expect((await postSse(`${server.url}/agent/default/run`, runInput({ text: 'weather' }))).events.at(-1)?.type).toBe('RUN_FINISHED');
  }, 180_000);

  it('ends every run under LLM chaos with exactly one terminal event the official clients accept', async () => {
    const chaos = { dropRate: 0.15, malformedRate: 0.15, rateLimitRate: 0.15, disconnectRate: 0.15 };
    llm.server.on({ userMessage: 'chaos' }, { content: answer }, { chaos });
    llm.server.on({ userMessage: 'cut' }, { content: answer }, { latency: 1, truncateAfterChunks: 9 });
    // What the official clients say goes to the assertions below, not to a muted console.
    const said: string[] = [];
    const hear = (...args: unknown[]) => void said.push(args.map(String).join(' '));
    const warn = jest.spyOn(console, 'warn').mockImplementation(hear);
    const error = jest.spyOn(console, 'error').mockImplementation(hear);
    let badTerminals = 0;
    let clientErrors = 0;
    const outcomes = new Map<string, number>();
    try {
      await pool(200, 20, async (i) => {
        const url = `${server.url}/agent/default/run`;
        const agent = i % 2 ? new HttpAgent({ url }) : new HttpAgent0059({ url });
        agent.addMessage({ id: randomUUID(), role: 'user', content: i % 5 === 0 ? 'cut' : 'chaos' });
        const events: BaseEvent[] = [];
        try {
          await (agent as HttpAgent).runAgent({}, { onEvent: ({ event }) => void events.push(event as BaseEvent) });
        } catch {
          clientErrors++;
        }
        const terminals = events.filter((e) => e.type === 'RUN_FINISHED' || e.type === 'RUN_ERROR');
        if (terminals.length !== 1 || terminals[0] !== events.at(-1)) badTerminals++;
        const outcome = terminals[0]
          ? `${terminals[0].type}${(terminals[0] as { code?: string }).code ? `:${(terminals[0] as { code?: string }).code}` : ''}`
          : 'none';
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      });
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
    figures.push(
      `chaos runs: 200, bad terminals: ${badTerminals}, client errors: ${clientErrors}, client warnings: ${said.length}, outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}`,
    );
    expect(said.slice(0, 3)).toEqual([]);

    expect(badTerminals).toBe(0);
    expect(clientErrors).toBe(0);
    expect(outcomes.size).toBeGreaterThan(2);
  }, 120_000);
});

describe('reliability on SIGTERM (SQLite runner)', () => {
  it('lets runs finish within the grace period, ends the rest properly, and keeps them', async () => {
    const llm = await new LlmMock().start();
    llm.server.onMessage('short', { content: 'Short and done.' }, { latency: 20 });
    llm.server.onMessage('long', { content: answer.repeat(4) }, { latency: 20 });
    const dir = mkdtempSync(join(tmpdir(), 'reliability-'));
    const env = { LLM_URL: llm.server.url, RUNNER: 'sqlite', DB: join(dir, 'threads.sqlite'), GRACE_MS: '1500' };
    const first = await startReliabilityServer(env);
    try {
      const inputs = ['short', 'short', 'long', 'long'].map((text) => runInput({ text }));
      const streams = await Promise.all(inputs.map((input) => openSse(`${first.url}/agent/default/run`, input)));
      await Promise.all(streams.map((stream) => stream.waitFor((e) => e.type === 'TEXT_MESSAGE_CONTENT')));

      const signalled = Date.now();
      first.child.kill('SIGTERM');
      // Nest closes the app, then re-raises the signal: a clean shutdown ends with exit 0 or by SIGTERM.
      const exit = await new Promise<string>((resolve) => first.child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`)));
      const tookMs = Date.now() - signalled;
      await Promise.all(streams.map((stream) => stream.done));

      const endings = streams.map((stream) => stream.events.at(-1) as BaseEvent & { code?: string });
      figures.push(
        `SIGTERM with 4 runs in flight: exited (${exit}) after ${tookMs} ms, endings: ${endings.map((e) => e.code ?? e.type).join(', ')}`,
      );
      expect(['SIGTERM', 'code 0']).toContain(exit);
      expect(tookMs).toBeLessThan(1500 + 2000);
      expect(endings.map((e) => e.code ?? e.type)).toEqual(['RUN_FINISHED', 'RUN_FINISHED', 'SERVER_SHUTDOWN', 'SERVER_SHUTDOWN']);

      const second = await startReliabilityServer(env);
      try {
        for (const [i, input] of inputs.entries()) {
          const replay = await postSse(`${second.url}/agent/default/connect`, { threadId: input.threadId });
          expect(replay.events.at(-1)).toMatchObject({ type: endings[i].type });
        }
        const next = await postSse(`${second.url}/agent/default/run`, runInput({ threadId: inputs[3].threadId, text: 'short' }));
        expect(next.events.at(-1)?.type).toBe('RUN_FINISHED');
      } finally {
        second.child.kill('SIGKILL');
      }
    } finally {
      first.child.kill('SIGKILL');
      await llm.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
