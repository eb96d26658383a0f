import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChildApp } from '../fixtures/child-app.js';
import { postSse, runInput } from '../fixtures/sse-client.js';

/**
 * What a finished run leaves behind: nothing that grows with the number of runs. A promise kept
 * per run (a reaction on one that stays pending until shutdown, say) is a few hundred bytes, so
 * it shows only after many runs, in production; counting the server's live promises shows it
 * after a few hundred.
 */
const dir = mkdtempSync(join(tmpdir(), 'copilotkit-run-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each([
  ['in-memory', ['in-memory']],
  ['SQLite', ['sqlite', join(dir, 'threads.sqlite')]],
])('finished runs on the %s runner', (_name, args) => {
  let server: Awaited<ReturnType<typeof startChildApp>>;
  let url: string;

  beforeAll(async () => {
    server = await startChildApp(args, { script: 'run-memory-child.mjs', execArgv: ['--no-warnings'] });
    url = `${server.origin}/copilotkit/agent/scripted/run`;
  });
  afterAll(() => server.kill());

  async function runs(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const { status, events } = await postSse(url, runInput());
      expect([status, events.at(-1)?.type]).toEqual([200, 'RUN_FINISHED']);
    }
  }

  const livePromises = () =>
    new Promise<number>((resolve) => {
      server.child.once('message', (message: { promises: number }) => resolve(message.promises));
      server.child.send('count');
    });

  it('keep no promise per run once their streams have ended', async () => {
    // The first runs compile, open files and fill caches: count from after them.
    await runs(50);
    const before = await livePromises();
    await runs(300);
    // A run kept would add at least one.
    const after = await livePromises();
    expect(after - before).toBeLessThan(30);
  }, 60_000);
});
