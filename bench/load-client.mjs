// The load client of load.bench.mjs: runs posted and read to the end, each checked, and streams
// held open to measure what an idle stream costs a server.
import { randomUUID } from 'node:crypto';

export const body = (text) =>
  JSON.stringify({
    threadId: randomUUID(),
    runId: randomUUID(),
    state: {},
    messages: [{ id: randomUUID(), role: 'user', content: text }],
    tools: [],
    context: [],
    forwardedProps: {},
  });

/** One run, read to the end and checked: frames parse, RUN_STARTED first, RUN_FINISHED last, the text. */
async function oneRun(url, text, expected) {
  const t0 = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: body(text),
  });
  let firstDelta;
  let raw = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body) {
    raw += decoder.decode(chunk, { stream: true });
    if (firstDelta === undefined && raw.includes('"TEXT_MESSAGE_CONTENT"')) firstDelta = performance.now() - t0;
  }
  const events = raw.split('\n\n').flatMap((block) =>
    block
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6))),
  );
  const textOut = events
    .filter((e) => e.type === 'TEXT_MESSAGE_CONTENT')
    .map((e) => e.delta)
    .join('');
  const valid =
    response.status === 200 && events[0]?.type === 'RUN_STARTED' && events.at(-1)?.type === 'RUN_FINISHED' && textOut.endsWith(expected);
  return { valid, firstDelta, end: performance.now() - t0 };
}

/** `concurrency` clients posting runs until `runs` are done or `seconds` have passed, whichever first. */
export async function load(url, { concurrency, runs, seconds, text, expected }) {
  const samples = [];
  let errors = 0;
  let started = 0;
  const deadline = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < runs && performance.now() < deadline) {
        started++;
        try {
          const run = await oneRun(url, text, expected);
          if (run.valid) samples.push(run);
          else errors++;
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const pct = (key, q) => {
    const sorted = samples.map((s) => s[key]).sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  };
  return {
    runs: samples.length,
    runsPerSecond: samples.length / elapsed,
    errors,
    firstDelta: { p50: pct('firstDelta', 0.5), p90: pct('firstDelta', 0.9), p99: pct('firstDelta', 0.99) },
    end: { p50: pct('end', 0.5), p99: pct('end', 0.99) },
  };
}

/** Opens `count` runs that stay open (the LLM takes minutes) and measures the server's memory per stream. */
export async function idleStreams(url, pid, count, rssMiB) {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const before = rssMiB(pid);
  const controllers = [];
  let opened = 0;
  let failed = 0;
  // In waves, so the server is not also measured on accepting 10,000 connections in one tick.
  for (let wave = 0; wave < count; wave += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, count - wave) }, async () => {
        const controller = new AbortController();
        controllers.push(controller);
        try {
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
            body: body('idle'),
            signal: controller.signal,
          });
          const reader = response.body.getReader();
          await reader.read(); // the headers and first frames are out: the stream is open
          opened++;
          reader.read().catch(() => undefined);
        } catch {
          failed++;
        }
      }),
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const after = rssMiB(pid);
  controllers.forEach((controller) => controller.abort());
  await new Promise((resolve) => setTimeout(resolve, 2000));
  return { opened, failed, kibPerStream: ((after - before) * 1024) / Math.max(1, opened), rssBeforeMiB: before, rssAfterMiB: after };
}
