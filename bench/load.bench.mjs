// The same load on four servers in one run, all on the same aimock LLM: this project, the official
// @copilotkit/runtime mounted in Nest, a bare node:http relay (the floor), and the same relay from
// a bare Nest @Sse() route (what Nest's stream pipeline costs any app on its own). Phases are
// interleaved (every server gets each cell in turn, in a rotating order), each server is pinned to
// core 0 and the load client and aimock to core 1, so one server's phase never competes with
// another's. Prints the table of ratios to the floor, writes bench/results/load.json and
// bench/results/load.md, and with --readme puts that table into the README's performance section.
//
//   npm run bench        (from the repository root: builds, installs bench/, runs this)
//   node bench/load.bench.mjs [--runs 2000] [--seconds 20] [--rounds 3] [--concurrency 1,16,64] [--idle 10000]
//                             [--scenarios text,tool] [--servers floor,nest-sse,official,ours] [--readme] [--cpu-prof]
// --readme needs all four servers.
import { execFileSync, fork, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Agent, setGlobalDispatcher } from 'undici';
import { idleStreams, load } from './load-client.mjs';
import { markdownTable } from './load-report.mjs';
import { cpuMs, rssMiB } from './proc.mjs';

const option = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const RUNS = Number(option('runs', '2000'));
const SECONDS = Number(option('seconds', '20'));
const LEVELS = option('concurrency', '1,16,64').split(',').map(Number);
// A phase of the fast servers lasts 3 to 7 s, and this machine's speed drifts by a third from one
// minute to the next: one phase per server moved single cells that much. Each cell is measured in
// several rounds, in a rotating order, and each server keeps its median round (by runs/s).
const ROUNDS = Number(option('rounds', '3'));
// Each open stream holds two sockets in a relay (the client's and the model's): a server can hold
// only about half its open-file limit, whatever its code. Asked for more, the bench holds what fits.
const IDLE = Math.min(Number(option('idle', '10000')), Math.floor((openFileLimit() - 1000) / 2));
const CPU_PROF = process.argv.includes('--cpu-prof');
const ONLY = option('scenarios', undefined)?.split(',');
const TABLE_SERVERS = ['floor', 'nest-sse', 'official', 'ours'];
const SERVERS = option('servers', TABLE_SERVERS.join(',')).split(',');
const FULL_TABLE = TABLE_SERVERS.every((name) => SERVERS.includes(name));
if (process.argv.includes('--readme') && !FULL_TABLE) throw new Error(`--readme needs ${TABLE_SERVERS.join(', ')}: drop --servers`);
const canPin = cpus().length >= 2 && hasTaskset();

/**
 * Waits until no server is still busy from its last phase (a garbage collection, sockets closing):
 * they share core 0, so that work would be charged to the next server's phase.
 */
async function quiet(pids, { sliceMs = 250, idleMs = 5, maxMs = 15_000 } = {}) {
  const total = () => pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  const deadline = Date.now() + maxMs;
  let before = total();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, sliceMs));
    const now = total();
    if (now - before <= idleMs) return;
    before = now;
  }
}

/** Ends a server (SIGINT lets --cpu-prof write its profile) and waits for it to be gone. */
function stop(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill(signal);
  });
}

function openFileLimit() {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('Max open files'));
  return Number(line?.split(/\s+/)[3]) || 1024;
}

function hasTaskset() {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function start(script, { env = {}, execArgv = [], core } = {}) {
  const file = new URL(`./servers/${script}.mjs`, import.meta.url).pathname;
  const options = { env: { ...process.env, ...env }, stdio: ['inherit', 'inherit', 'inherit', 'ipc'] };
  const child =
    core !== undefined && canPin
      ? spawn('taskset', ['-c', String(core), process.execPath, ...execArgv, file], options)
      : fork(file, [], { ...options, execArgv });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve({ child, ...message }));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

async function main() {
  setGlobalDispatcher(new Agent({ connections: IDLE + 2048, keepAliveTimeout: 10_000, headersTimeout: 0, bodyTimeout: 0 }));
  const answer = 'All systems nominal. '.repeat(19).slice(0, 400);
  const scenarios = [
    { name: 'text', text: 'hello', expected: answer },
    { name: 'slow first token', text: 'slow', expected: answer },
    { name: 'tool', text: 'weather please', expected: 'It is sunny in Paris, 21 degrees.' },
  ];
  const selected = ONLY ? scenarios.filter((scenario) => ONLY.includes(scenario.name)) : scenarios;
  const results = {
    conditions: {
      date: new Date().toISOString().slice(0, 10),
      node: process.version,
      cpus: cpus().length,
      pinned: canPin,
      runs: RUNS,
      seconds: SECONDS,
      rounds: ROUNDS,
    },
    cells: [],
    rssMiB: {},
    idle: {},
  };

  const llm = await start('llm');
  const env = { LLM_URL: llm.url };
  const profileDir = new URL('./results/profiles', import.meta.url).pathname;
  const servers = {};
  try {
    for (const name of SERVERS) {
      const execArgv = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
      const server = await start(name, { env, execArgv, core: 0 });
      servers[name] = { ...server, url: `http://127.0.0.1:${server.port}/copilotkit/agent/default/run` };
    }
    let cell = 0;
    for (const scenario of selected) {
      // Until the JIT has compiled each server's hot paths for this scenario: 200 runs left ours at
      // half its speed in the first cells, and the runner bench showed warm servers need thousands.
      for (const name of SERVERS) await load(servers[name].url, { concurrency: 16, runs: 2000, seconds: 8, ...scenario });
      for (const concurrency of LEVELS) {
        const rounds = Object.fromEntries(SERVERS.map((name) => [name, []]));
        for (let round = 0; round < ROUNDS; round++) {
          // A rotating order, so no server always runs first (or last) in a cell.
          const order = SERVERS.map((_, i) => SERVERS[(i + cell) % SERVERS.length]);
          cell++;
          for (const name of order) {
            await quiet(Object.values(servers).map((server) => server.child.pid));
            const { pid } = servers[name].child;
            const cpuBefore = cpuMs(pid);
            const measured = await load(servers[name].url, { concurrency, runs: RUNS, seconds: SECONDS, ...scenario });
            rounds[name].push({ ...measured, cpuMsPerRun: (cpuMs(pid) - cpuBefore) / Math.max(1, measured.runs) });
          }
        }
        const row = { scenario: scenario.name, concurrency, servers: {} };
        for (const name of SERVERS) row.servers[name] = medianRound(rounds[name]);
        results.cells.push(row);
        printCell(row);
      }
    }
    for (const name of SERVERS) results.rssMiB[name] = rssMiB(servers[name].child.pid);
    results.idle.requested = Number(option('idle', '10000'));
    for (const name of IDLE > 0 ? SERVERS.filter((name) => name !== 'official') : []) {
      results.idle[name] = await idleStreams(servers[name].url, servers[name].child.pid, IDLE, rssMiB);
      // Its runs would hold their model connections for minutes, and aimock's file limit with them.
      await stop(servers[name].child, 'SIGKILL');
    }
  } finally {
    await Promise.all(Object.values(servers).map((server) => stop(server.child, 'SIGINT')));
    llm.child.kill('SIGKILL');
  }

  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/load.json', import.meta.url), JSON.stringify(results, null, 2));
  // The table compares every server: a run of some of them prints its cells (above) and no table.
  if (!FULL_TABLE) process.exit(0);
  const table = markdownTable(results);
  console.log(`\n${table}`);
  writeFileSync(new URL('./results/load.md', import.meta.url), table);
  if (process.argv.includes('--readme')) updateReadme(table);
  process.exit(0);
}

/**
 * A server's median round by runs/s, whole: its CPU and latency figures come from the same phase as
 * its runs/s, and the other rounds are kept beside it. Every round's errors count.
 */
function medianRound(rounds) {
  const sorted = [...rounds].sort((a, b) => a.runsPerSecond - b.runsPerSecond);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  return {
    ...median,
    errors: rounds.reduce((sum, round) => sum + round.errors, 0),
    runsPerSecondByRound: rounds.map((round) => Math.round(round.runsPerSecond)),
  };
}

function printCell(row) {
  for (const [name, r] of Object.entries(row.servers)) {
    console.log(
      `${row.scenario}, C=${row.concurrency} ${name.padEnd(8)} ${r.runsPerSecond.toFixed(0).padStart(5)} runs/s (${r.runs} runs, ${r.errors} errors)  ` +
        `${r.cpuMsPerRun.toFixed(2)} CPU ms/run  first delta p50 ${r.firstDelta.p50?.toFixed(1)} ms  rounds ${r.runsPerSecondByRound.join(' ')}`,
    );
  }
}

/** The README's performance table is this run's output, between its two markers, never typed by hand. */
function updateReadme(table) {
  const path = new URL('../README.md', import.meta.url);
  const readme = readFileSync(path, 'utf8');
  const start = '<!-- bench:load:start -->';
  const end = '<!-- bench:load:end -->';
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} section`);
  writeFileSync(path, `${readme.slice(0, from + start.length)}\n${table}\n${readme.slice(to)}`);
  console.log('README.md: performance table updated');
}

// The client and aimock share core 1; each server gets core 0 (see start()). Re-run pinned first.
if (canPin && !process.env.BENCH_PINNED) {
  const child = spawn('taskset', ['-c', '1', process.execPath, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_PINNED: '1' },
  });
  child.on('exit', (code) => process.exit(code ?? 1));
} else {
  await main();
}
