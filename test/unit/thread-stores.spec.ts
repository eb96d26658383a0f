import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { BaseEvent } from '@ag-ui/core';
import { InMemoryThreadStore, PostgresThreadStore, SqliteThreadStore, type ThreadStore } from '../../lib/index.js';

/**
 * What every run relies on of the stores' one-write and one-read paths (`finishRun`,
 * `getThreadWithRuns`, `beginRunAndRead`): the same records as the separate calls give, on each
 * store that ships.
 */
const connectionString = 'postgres://postgres@127.0.0.1:5432/test';
const schema = `copilotkit_stores_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
const dir = mkdtempSync(join(tmpdir(), 'copilotkit-stores-'));

const stores: Array<[string, () => ThreadStore]> = [
  ['in-memory', () => new InMemoryThreadStore()],
  ['SQLite', () => new SqliteThreadStore({ path: join(dir, `${randomUUID()}.sqlite`) })],
  ['PostgreSQL', () => new PostgresThreadStore({ postgres: { connectionString }, schema })],
];

const delta = (runId: string, text: string): BaseEvent =>
  ({ type: 'TEXT_MESSAGE_CONTENT', messageId: `m-${runId}`, delta: text }) as BaseEvent;

afterAll(async () => {
  const admin = new pg.Client({ connectionString });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(stores)('%s thread store', (_name, create) => {
  let store: ThreadStore;
  beforeAll(async () => {
    store = create();
    await store.open();
  });
  afterAll(() => store.close());

  const begin = (threadId: string, runId: string) => store.beginRun({ threadId, runId, agentId: 'agent', ownerId: 'ada' });

  it('finishRun stores the last events after the earlier ones and releases the thread', async () => {
    const threadId = randomUUID();
    expect(await begin(threadId, 'r1')).toBe('started');
    await store.appendEvents(threadId, 'r1', 0, [delta('r1', 'a'), delta('r1', 'b')]);
    const before = (await store.getThread(threadId))!.updatedAt;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.finishRun(threadId, 'r1', 2, [delta('r1', 'c'), { type: 'RUN_FINISHED', threadId, runId: 'r1' } as BaseEvent]);

    const [run] = await store.getRuns(threadId);
    expect(run).toMatchObject({ runId: 'r1', status: 'finished' });
    expect(run.events.map((event) => (event as { delta?: string }).delta ?? event.type)).toEqual(['a', 'b', 'c', 'RUN_FINISHED']);
    expect((await store.getThread(threadId))!.updatedAt).toBeGreaterThan(before);
    expect(await begin(threadId, 'r2')).toBe('started');
  });

  it('finishRun with no events left ends the run all the same', async () => {
    const threadId = randomUUID();
    await begin(threadId, 'r1');
    await store.appendEvents(threadId, 'r1', 0, [delta('r1', 'a')]);
    await store.finishRun(threadId, 'r1', 1, []);

    expect(await store.getRuns(threadId)).toEqual([expect.objectContaining({ status: 'finished', events: [delta('r1', 'a')] })]);
  });

  it('getThreadWithRuns reads what getThread and getRuns read, the running run included', async () => {
    const threadId = randomUUID();
    await begin(threadId, 'r1');
    await store.finishRun(threadId, 'r1', 0, [delta('r1', 'one'), delta('r1', 'two')]);
    await store.updateThread(threadId, { name: 'Trip', archived: true });
    await begin(threadId, 'r2');
    await store.appendEvents(threadId, 'r2', 0, [delta('r2', 'three')]);

    const together = await store.getThreadWithRuns(threadId);
    expect(together).toEqual({ thread: await store.getThread(threadId), runs: await store.getRuns(threadId) });
    expect(together.thread).toMatchObject({ threadId, ownerId: 'ada', agentId: 'agent', name: 'Trip', archived: true });
    expect(together.runs.map((run) => [run.runId, run.status, run.events.length])).toEqual([
      ['r1', 'finished', 2],
      ['r2', 'running', 1],
    ]);
  });

  it('gives back every character an event may hold, as it was written', async () => {
    const threadId = randomUUID();
    const tricky = [
      'quote " backslash \\ newline \n tab \t',
      'nul \u0000 and a lone surrogate \ud800',
      'emoji 🦜 and CJK 漢字',
      '</script>',
    ];
    await begin(threadId, 'r1');
    await store.appendEvents(threadId, 'r1', 0, [delta('r1', tricky[0])]);
    await store.finishRun(
      threadId,
      'r1',
      1,
      tricky.slice(1).map((text) => delta('r1', text)),
    );

    const [run] = await store.getRuns(threadId);
    expect(run.events.map((event) => (event as { delta?: string }).delta)).toEqual(tricky);
  });

  it('beginRunAndRead starts a new thread and reads it as getThread does, with no runs before it', async () => {
    const threadId = randomUUID();
    const begun = await store.beginRunAndRead({ threadId, runId: 'r1', agentId: 'agent', ownerId: 'ada' });

    expect(begun).toEqual({ result: 'started', thread: await store.getThread(threadId), finishedRuns: [] });
    expect(begun.result === 'started' && begun.thread).toMatchObject({ threadId, ownerId: 'ada', agentId: 'agent', archived: false });
    expect((await store.getRuns(threadId)).map((run) => [run.runId, run.status])).toEqual([['r1', 'running']]);
  });

  it('beginRunAndRead reads the thread as the begin left it and every finished run, not the one it starts', async () => {
    const threadId = randomUUID();
    await begin(threadId, 'r1');
    await store.finishRun(threadId, 'r1', 0, [delta('r1', 'one'), delta('r1', 'two')]);
    await begin(threadId, 'r2');
    await store.appendEvents(threadId, 'r2', 0, [delta('r2', 'three')]);
    await store.finishRun(threadId, 'r2', 1, [delta('r2', 'four')]);
    await store.updateThread(threadId, { name: 'Trip' });
    await new Promise((resolve) => setTimeout(resolve, 5));

    const begun = await store.beginRunAndRead({ threadId, runId: 'r3', agentId: 'agent', ownerId: 'ada' });
    const after = await store.getThreadWithRuns(threadId);
    expect(begun).toEqual({ result: 'started', thread: after.thread, finishedRuns: after.runs.slice(0, 2) });
    expect(begun.result === 'started' && begun.finishedRuns.map((run) => [run.runId, run.events.length])).toEqual([
      ['r1', 2],
      ['r2', 2],
    ]);
    expect(after.thread).toMatchObject({ name: 'Trip' });
    expect(after.runs[2]).toMatchObject({ runId: 'r3', status: 'running' });
  });

  it('beginRunAndRead refuses as beginRun does, and reads nothing then', async () => {
    const threadId = randomUUID();
    const request = { threadId, runId: 'r1', agentId: 'agent', ownerId: 'ada' };
    await store.beginRunAndRead(request);
    expect(await store.beginRunAndRead({ ...request, runId: 'r2' })).toEqual({ result: 'busy' });
    expect(await store.beginRunAndRead({ ...request, runId: 'r2', ownerId: 'bob' })).toEqual({ result: 'not-owner' });
    await store.endRun(threadId, 'r1');
    expect(await store.beginRunAndRead(request)).toEqual({ result: 'duplicate-run' });
  });

  it('getThreadWithRuns of an unknown thread is no thread and no runs', async () => {
    expect(await store.getThreadWithRuns(randomUUID())).toEqual({ thread: undefined, runs: [] });
  });
});
