// The same load on three servers in one run, all on the same aimock LLM: this project, the official
// @copilotkit/runtime mounted in Nest, and a bare node:http relay (the floor). Prints a table of
// ratios to the official runtime and to the floor, and writes bench/results/load.json.
//
//   npm run bench        (from the repository root: builds, installs bench/, runs this)
//   node bench/load.bench.mjs --seconds 4 --concurrency 1,16,64 --idle 1000 [--cpu-prof]
import { fork } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Agent, setGlobalDispatcher } from 'undici';

const option = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const SECONDS = Number(option('seconds', '4'));
const LEVELS = option('concurrency', '1,16,64').split(',').map(Number);
const IDLE = Number(option('idle', '1000'));
const CPU_PROF = process.argv.includes('--cpu-prof');
const SERVERS = ['ours', 'official', 'floor'];
setGlobalDispatcher(new Agent({ connections: 2048, keepAliveTimeout: 10_000, headersTimeout: 0, bodyTimeout: 0 }));

function start(script, env = {}, execArgv = []) {
  const child = fork(new URL(`./servers/${script}.mjs`, import.meta.url), [], {
    env: { ...process.env, ...env },
    execArgv,
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve({ child, ...message }));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

const input = (text) =>
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
    body: input(text),
  });
  let firstByte;
  let firstDelta;
  let raw = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body) {
    firstByte ??= performance.now() - t0;
    raw += decoder.decode(chunk, { stream: true });
    if (firstDelta === undefined && raw.includes('"TEXT_MESSAGE_CONTENT"')) firstDelta = performance.now() - t0;
  }
  const end = performance.now() - t0;
  const events = raw.split('\n\n').flatMap((block) =>
    block
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6))),
  );
  const textOut = events
    .filter((e) => e.type === 'TEXT_MESSAGE_CONTENT')
    .map((e) => e.delta)
    .join('');
  const valid =
    response.status === 200 && events[0]?.type === 'RUN_STARTED' && events.at(-1)?.type === 'RUN_FINISHED' && textOut.endsWith(expected);
  return { valid, firstByte, firstDelta, end };
}

async function load(url, concurrency, text, expected) {
  const samples = [];
  let errors = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
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
  const seconds = (performance.now() - t0) / 1000;
  const pct = (key, q) => {
    const sorted = samples.map((s) => s[key]).sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  };
  return {
    runsPerSecond: samples.length / seconds,
    errors,
    ttfb: { p50: pct('firstByte', 0.5), p90: pct('firstByte', 0.9), p99: pct('firstByte', 0.99) },
    firstDelta: { p50: pct('firstDelta', 0.5), p90: pct('firstDelta', 0.9), p99: pct('firstDelta', 0.99) },
    end: { p50: pct('end', 0.5), p90: pct('end', 0.9), p99: pct('end', 0.99) },
  };
}

/** Opens `count` runs that stay open (the LLM takes minutes) and measures the server's memory per stream. */
async function idleStreams(url, pid, count) {
  global.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = rssKiB(pid);
  const controllers = [];
  let opened = 0;
  await Promise.all(
    Array.from({ length: count }, async () => {
      const controller = new AbortController();
      controllers.push(controller);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: input('idle'),
        signal: controller.signal,
      });
      const reader = response.body.getReader();
      await reader.read(); // headers and the first frames are out: the stream is open
      opened++;
      reader.read().catch(() => undefined);
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = rssKiB(pid);
  controllers.forEach((c) => c.abort());
  return { opened, kibPerStream: (after - before) / count, rssBeforeMiB: before / 1024, rssAfterMiB: after / 1024 };
}

const answer = 'All systems nominal. '.repeat(19).slice(0, 400);
const scenarios = [
  { name: 'text', text: 'hello', expected: answer },
  { name: 'backend action', text: 'weather please', expected: 'It is sunny in Paris, 21 degrees.' },
];
const results = { machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, scenarios: {}, latency: {}, idle: {} };

const llm = await start('llm');
const env = { LLM_URL: llm.url };
try {
  for (const scenario of scenarios) {
    results.scenarios[scenario.name] = {};
    for (const concurrency of LEVELS) {
      const row = {};
      for (const name of SERVERS) {
        const server = await start(
          name,
          env,
          name === 'ours' && CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${new URL('./results/profiles', import.meta.url).pathname}`] : [],
        );
        const url = `http://127.0.0.1:${server.port}/copilotkit/agent/default/run`;
        try {
          await load(url, Math.min(concurrency, 4), scenario.text, scenario.expected); // warm-up
          row[name] = { ...(await load(url, concurrency, scenario.text, scenario.expected)), rssMiB: rssKiB(server.child.pid) / 1024 };
        } finally {
          server.child.kill('SIGINT');
          await new Promise((resolve) => server.child.once('exit', resolve));
        }
      }
      results.scenarios[scenario.name][concurrency] = row;
    }
  }
  for (const name of SERVERS) {
    const server = await start(name, env);
    const url = `http://127.0.0.1:${server.port}/copilotkit/agent/default/run`;
    try {
      await load(url, 1, 'slow', answer);
      results.latency[name] = (await load(url, 1, 'slow', answer)).firstDelta;
      results.idle[name] = await idleStreams(url, server.child.pid, IDLE);
    } finally {
      server.child.kill('SIGKILL');
    }
  }
} finally {
  llm.child.kill('SIGKILL');
}

const f = (n, digits = 0) => (n === undefined ? '   -' : n.toFixed(digits));
console.log(`\nbench: ${SECONDS}s per cell, ${results.machine.cpus} CPUs, ${results.machine.node}; same aimock LLM for all`);
for (const [scenario, byLevel] of Object.entries(results.scenarios)) {
  console.log(`\n${scenario}: runs/s (errors) · first text delta p50/p99 ms · end p50 ms · RSS MiB`);
  for (const [level, row] of Object.entries(byLevel)) {
    for (const name of SERVERS) {
      const r = row[name];
      const vsOfficial = r.runsPerSecond / row.official.runsPerSecond;
      const vsFloor = r.runsPerSecond / row.floor.runsPerSecond;
      console.log(
        `  C=${String(level).padEnd(3)} ${name.padEnd(9)} ${f(r.runsPerSecond).padStart(5)} (${r.errors})  ×official ${f(vsOfficial, 2)}  ×floor ${f(vsFloor, 2)}  ` +
          `delta ${f(r.firstDelta.p50, 1)}/${f(r.firstDelta.p99, 1)}  end ${f(r.end.p50, 1)}  rss ${f(r.rssMiB)}`,
      );
    }
  }
}
console.log('\nlatency, C=1, LLM time to first token 50 ms: first text delta p50 / p90 ms');
for (const name of SERVERS)
  console.log(
    `  ${name.padEnd(9)} ${f(results.latency[name].p50, 2)} / ${f(results.latency[name].p90, 2)}  (${f(results.latency[name].p50 - results.latency.floor.p50, 2)} ms over the floor)`,
  );
console.log(`\n${IDLE} idle open streams: KiB per stream (RSS before → after, MiB)`);
for (const name of SERVERS) {
  const r = results.idle[name];
  console.log(`  ${name.padEnd(9)} ${f(r.kibPerStream, 1)} KiB  (${f(r.rssBeforeMiB)} → ${f(r.rssAfterMiB)}, ${r.opened} opened)`);
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/load.json', import.meta.url), JSON.stringify(results, null, 2));
process.exit(0);
