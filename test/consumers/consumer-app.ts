import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

/** One app shaped like a `nest new` scaffold, in `test/consumers/<name>/`, with the shared sources in `app/`. */
export interface ConsumerFixture {
  name: string;
  module: 'commonjs' | 'esm';
  platform: 'express' | 'fastify';
  /** Environment for the started app (runner, providers). */
  env?: Record<string, string>;
}

export interface StartedConsumer {
  origin: string;
  output(): string;
  stop(): Promise<void>;
}

/** Where installed apps are kept between runs, keyed by their lock file, outside any checkout. */
const cacheRoot = process.env.CONSUMERS_CACHE ?? join(homedir(), '.cache', 'nestjs-copilotkit-consumers');

/** `npm pack` of this checkout (its `prepack` builds `dist/`), as a user's registry install would get it. */
export async function packLibrary(): Promise<string> {
  const destination = mkdtempSync(join(tmpdir(), 'nestjs-copilotkit-pack-'));
  const output = await run('npm', ['pack', '--silent', '--pack-destination', destination], root);
  const file = output.trim().split('\n').pop()!;
  return join(destination, file);
}

/**
 * The fixture as an installed, built app outside the repository, so nothing resolves from this
 * checkout's node_modules: `npm ci` from its own lock (skipped when the cached install matches),
 * then the packed tarball, then the app's own `npm run build`.
 */
export async function prepareConsumer(fixture: ConsumerFixture, tarball: string): Promise<string> {
  const source = join(here, fixture.name);
  const lock = readFileSync(join(source, 'package-lock.json'));
  const stamp = createHash('sha256')
    .update(readFileSync(join(source, 'package.json')))
    .update(lock)
    .digest('hex');
  const dir = join(cacheRoot, fixture.name);
  if (readOr(join(dir, '.install-stamp')) !== stamp) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    cpSync(join(source, 'package.json'), join(dir, 'package.json'));
    cpSync(join(source, 'package-lock.json'), join(dir, 'package-lock.json'));
    await run('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], dir);
    writeFileSync(join(dir, '.install-stamp'), stamp);
  }
  // Last run's output goes, the incremental build's record of it too.
  for (const entry of readdirSync(dir)) {
    if (['src', 'test', 'checks', 'dist', 'copilotkit.sqlite'].includes(entry) || entry.endsWith('.tsbuildinfo'))
      rmSync(join(dir, entry), { recursive: true, force: true });
  }
  for (const entry of readdirSync(source)) {
    if (entry !== 'package.json' && entry !== 'package-lock.json') cpSync(join(source, entry), join(dir, entry), { recursive: true });
  }
  copySources(join(here, 'app'), dir, fixture);
  cpSync(join(here, 'app', 'checks'), join(dir, 'checks'), { recursive: true });
  // The CLI 12 scaffold's e2e config (vitest); the CommonJS scaffolds bring their own jest-e2e.json.
  if (fixture.module === 'esm') cpSync(join(here, 'app', 'vitest.config.e2e.ts'), join(dir, 'vitest.config.e2e.ts'));
  await run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefer-offline', tarball], dir);
  await run('npm', ['run', 'build'], dir);
  return dir;
}

/**
 * The shared sources, written the way each kind of scaffold writes them: ESM apps import
 * `./x.js`, CommonJS apps `./x` (which is also what jest resolves there). `platform.<name>.ts`
 * becomes the app's `platform.ts`.
 */
function copySources(from: string, to: string, fixture: ConsumerFixture): void {
  for (const folder of ['src', 'test']) {
    mkdirSync(join(to, folder), { recursive: true });
    for (const file of readdirSync(join(from, folder))) {
      const platform = /^platform\.(\w+)\.ts$/.exec(file);
      if (platform && platform[1] !== fixture.platform) continue;
      let text = readFileSync(join(from, folder, file), 'utf8');
      if (fixture.module === 'commonjs') text = text.replace(/(from '\.{1,2}\/[^']*)\.js'/g, "$1'");
      writeFileSync(join(to, folder, platform ? 'platform.ts' : file), text);
    }
  }
}

/** Starts the built app (`node dist/main`) on a free port and waits for it to listen. */
export async function startConsumer(dir: string, env: Record<string, string>): Promise<StartedConsumer> {
  const child = spawn(process.execPath, ['dist/main'], {
    cwd: dir,
    env: { ...process.env, NODE_OPTIONS: '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the app did not start:\n${output}`)), 30_000);
    child.stdout!.on('data', () => {
      const match = /listening on port (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the app exited with ${code}:\n${output}`));
    });
  });
  return { origin: `http://127.0.0.1:${port}`, output: () => output, stop: () => stop(child) };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Runs a command to its end; rejects with its output when it fails. */
export function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    // The tests run with --experimental-vm-modules; the apps and their tools must not inherit it.
    const child = spawn(command, args, { cwd, env: { ...process.env, NODE_OPTIONS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} (in ${cwd}) exited with ${code}:\n${output}`)),
    );
  });
}

function readOr(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}
