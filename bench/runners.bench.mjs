// Runner overhead: the same load against the in-memory, SQLite and Redis + PostgreSQL runners, each
// server in its own process, the in-memory one as the reference. Prints runs/s, time to first text
// delta and their ratios, and writes bench/results/runners.json. Not a test: numbers, no verdicts.
//
//   npm run build && node bench/runners.bench.mjs [--runs 1500] [--concurrency 16] [--rounds 3] [--warm-up 3000] [--paced 5] [--only sqlite,redis-postgres] [--cpu-prof]
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { load } from './load-client.mjs';
import { cpuMs, cpuMsByPid, cpuMsSince } from './proc.mjs';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const RUNS = arg('runs', 1500);
const CONCURRENCY = arg('concurrency', 16);
const ROUNDS = arg('rounds', 3);
const WARM_UP = arg('warm-up', 3000);
/** With --paced MS, each run streams a delta every MS ms, as a model does, so that many runs write at once. */
const PACED_MS = arg('paced', 0);
const schema = `copilotkit_bench_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
const dir = mkdtempSync(join(tmpdir(), 'copilotkit-bench-'));
const connectionString = 'postgres://postgres@127.0.0.1:5432/test';

const SERVICES = ['postgres', 'redis-server'];
const CPU_PROF = process.argv.includes('--cpu-prof');
const PROFILES = new URL('./results/profiles/', import.meta.url).pathname;
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : undefined;

const servers = [
  ['in-memory', ''],
  ['sqlite', JSON.stringify({ path: join(dir, 'bench.sqlite') })],
  [
    'redis-postgres',
    JSON.stringify({ postgres: { connectionString }, schema, redis: { host: '127.0.0.1', port: 6379 }, keyPrefix: schema }),
  ],
];

async function startServer(kind, options) {
  const execArgv = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${PROFILES}`, `--cpu-prof-name=runner-${kind}.cpuprofile`] : [];
  const env = { ...process.env, PACED_MS: String(PACED_MS) };
  const child = fork(new URL('./runner-server.mjs', import.meta.url), [kind, options], { stdio: 'inherit', execArgv, env });
  const port = await new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return {
    pid: child.pid,
    url: `http://127.0.0.1:${port}/copilotkit/agent/scripted/run`,
    stop: () => new Promise((resolve) => (child.once('exit', resolve), child.send('stop'))),
  };
}

/**
 * The load client of load.bench.mjs: every stream read to its end and checked. CPU per run is
 * counted for the server and for the services its store uses (PostgreSQL's backends, Redis), which
 * share the machine: runs/s moves with whatever else runs, CPU per run much less.
 */
const RUN = { text: 'hi', expected: 'ten chars '.repeat(40), seconds: Infinity };

async function measure({ url, pid }) {
  const before = { server: cpuMs(pid), services: cpuMsByPid(SERVICES) };
  const measured = await load(url, { ...RUN, concurrency: CONCURRENCY, runs: RUNS });
  if (measured.errors > 0) throw new Error(`${measured.errors} runs did not finish as scripted`);
  return {
    runsPerSecond: measured.runsPerSecond,
    ttftP50: measured.firstDelta.p50,
    ttftP90: measured.firstDelta.p90,
    serverCpuMsPerRun: (cpuMs(pid) - before.server) / measured.runs,
    servicesCpuMsPerRun: cpuMsSince(before.services, cpuMsByPid(SERVICES)) / measured.runs,
  };
}

/**
 * All servers run for the whole bench; each round gives every runner a phase, in an order that
 * rotates from round to round, and each figure is the median over the rounds. A machine whose
 * speed drifts during the bench (another process, the database's own housekeeping) then moves
 * every runner alike instead of whichever ran last.
 */
const results = {};
const running = [];
try {
  for (const [kind, options] of servers) {
    if (ONLY && kind !== 'in-memory' && !ONLY.includes(kind)) continue;
    const server = await startServer(kind, options);
    running.push([kind, server]);
    // Until the JIT has compiled the hot paths: a cold server runs at half its speed.
    await load(server.url, { ...RUN, concurrency: CONCURRENCY, runs: WARM_UP });
  }
  const rounds = Object.fromEntries(running.map(([kind]) => [kind, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < running.length; i++) {
      const [kind, server] = running[(round + i) % running.length];
      rounds[kind].push(await measure(server));
    }
  }
  for (const [kind, measured] of Object.entries(rounds)) {
    results[kind] = Object.fromEntries(Object.keys(measured[0]).map((key) => [key, median(measured.map((m) => m[key]))]));
    results[kind].runsPerSecondByRound = measured.map((m) => Math.round(m.runsPerSecond));
  }
} finally {
  await Promise.all(running.map(([, server]) => server.stop()));
  const admin = new pg.Client({ connectionString });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const reference = results['in-memory'];
console.log(
  `\n${RUNS} runs of 44 events each per phase${PACED_MS ? `, a delta every ${PACED_MS} ms` : ''}, concurrency ${CONCURRENCY}, ${ROUNDS} interleaved rounds (medians); ratios against the in-memory runner\n`,
);
console.log('runner           runs/s   ratio   ttft p50 ms   ratio   ttft p90 ms   CPU ms/run: server   services   runs/s by round');
for (const [kind, r] of Object.entries(results)) {
  console.log(
    `${kind.padEnd(15)} ${r.runsPerSecond.toFixed(0).padStart(7)}   ${(r.runsPerSecond / reference.runsPerSecond).toFixed(2).padStart(5)}   ${r.ttftP50.toFixed(2).padStart(11)}   ${(r.ttftP50 / reference.ttftP50).toFixed(2).padStart(5)}   ${r.ttftP90.toFixed(2).padStart(11)}   ${r.serverCpuMsPerRun.toFixed(2).padStart(18)}   ${r.servicesCpuMsPerRun.toFixed(2).padStart(8)}   ${r.runsPerSecondByRound.join(' ')}`,
  );
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/runners.json', import.meta.url),
  JSON.stringify({ runs: RUNS, concurrency: CONCURRENCY, rounds: ROUNDS, pacedMs: PACED_MS, results }, null, 2),
);
