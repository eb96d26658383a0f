import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ReliabilityServer {
  child: ChildProcess;
  url: string;
  stderr(): string;
  stats(): Promise<{ unhandled: number; heapUsed: number }>;
}

/** Starts server.mjs in its own process (with --expose-gc, so heap figures are after a collection). */
export async function startReliabilityServer(env: Record<string, string>): Promise<ReliabilityServer> {
  const child = fork(fileURLToPath(new URL('./server.mjs', import.meta.url)), [], {
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
  return {
    child,
    url: `http://127.0.0.1:${port}/copilotkit`,
    stderr: () => stderr,
    stats: () =>
      new Promise((resolve) => {
        const listen = (message: { stats?: { unhandled: number; heapUsed: number } }) => {
          if (!message.stats) return;
          child.off('message', listen);
          resolve(message.stats);
        };
        child.on('message', listen);
        child.send('stats');
      }),
  };
}
