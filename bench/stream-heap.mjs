// What one open stream holds on a server's JavaScript heap, by kind of object: heap snapshots of
// the server (floor, nest-sse or ours, see servers/) before and after opening N streams on a model that does
// not answer, compared. Not a test; it prints bytes and counts per stream, largest first.
//
//   node bench/stream-heap.mjs [--server ours|nest-sse|floor] [--streams 1000] [--top 30]
import { fork } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, setGlobalDispatcher } from 'undici';
import { body } from './load-client.mjs';

const option = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const SERVER = option('server', 'ours');
const STREAMS = Number(option('streams', '1000'));
const TOP = Number(option('top', '30'));
const dir = mkdtempSync(join(tmpdir(), 'copilotkit-heap-'));
setGlobalDispatcher(new Agent({ connections: STREAMS + 100, headersTimeout: 0, bodyTimeout: 0 }));

function start(script, env = {}, execArgv = []) {
  const child = fork(new URL(`./servers/${script}.mjs`, import.meta.url), [], { env: { ...process.env, ...env }, execArgv, cwd: dir });
  return new Promise((resolve) => child.once('message', (message) => resolve({ child, ...message })));
}

/** Signals the server to write a snapshot (Node collects garbage first) and waits until it is written. */
async function snapshot(child) {
  const before = new Set(readdirSync(dir));
  child.kill('SIGUSR2');
  let file;
  let size = -1;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    file ??= readdirSync(dir).find((name) => !before.has(name) && name.endsWith('.heapsnapshot'));
    if (!file) continue;
    const now = statSync(join(dir, file)).size;
    if (now > 0 && now === size) return join(dir, file);
    size = now;
  }
}

/** Self size and count per constructor (or V8 node type). */
function byKind(file) {
  const { snapshot: meta, nodes, strings } = JSON.parse(readFileSync(file, 'utf8'));
  const fields = meta.meta.node_fields;
  const types = meta.meta.node_types[0];
  const [type, name, size] = ['type', 'name', 'self_size'].map((field) => fields.indexOf(field));
  const kinds = new Map();
  for (let i = 0; i < nodes.length; i += fields.length) {
    const kind = types[nodes[i + type]];
    const key = ['object', 'closure', 'native'].includes(kind)
      ? `${kind === 'closure' ? 'closure ' : ''}${strings[nodes[i + name]]}`
      : `(${kind})`;
    const entry = kinds.get(key) ?? { bytes: 0, count: 0 };
    entry.bytes += nodes[i + size];
    entry.count++;
    kinds.set(key, entry);
  }
  return kinds;
}

async function openStreams(url, count) {
  await Promise.all(
    Array.from({ length: count }, async () => {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body('idle') });
      const reader = response.body.getReader();
      await reader.read(); // the headers and first frames are out: the stream is open
      reader.read().catch(() => undefined);
    }),
  );
}

const llm = await start('llm');
const server = await start(SERVER, { LLM_URL: llm.url }, ['--heapsnapshot-signal=SIGUSR2']);
const url = `http://127.0.0.1:${server.port}/copilotkit/agent/default/run`;
try {
  // Warm up, and open a few streams first, so that what every first stream creates once is in both snapshots.
  for (let i = 0; i < 50; i++)
    await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body('hello') })).text();
  await openStreams(url, 20);
  const before = byKind(await snapshot(server.child));
  await openStreams(url, STREAMS);
  const after = byKind(await snapshot(server.child));
  const rows = [...after].map(([key, { bytes, count }]) => {
    const was = before.get(key) ?? { bytes: 0, count: 0 };
    return { key, bytes: (bytes - was.bytes) / STREAMS, count: (count - was.count) / STREAMS };
  });
  const total = rows.reduce((sum, row) => sum + row.bytes, 0);
  console.log(`${SERVER}: ${(total / 1024).toFixed(1)} KiB of heap per open stream (${STREAMS} streams)\n`);
  console.log('bytes/stream  objects/stream  kind');
  for (const row of rows.sort((a, b) => b.bytes - a.bytes).slice(0, TOP)) {
    console.log(`${row.bytes.toFixed(0).padStart(12)}  ${row.count.toFixed(2).padStart(14)}  ${row.key.slice(0, 80)}`);
  }
} finally {
  server.child.kill('SIGKILL');
  llm.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
