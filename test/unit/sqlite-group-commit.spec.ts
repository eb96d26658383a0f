import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { BaseEvent } from '@ag-ui/core';
import { SqliteThreadStore, type SqliteDatabaseLike } from '../../lib/index.js';

/**
 * The SQLite store commits the writes of all runs of one event-loop turn together, and still
 * reads what it was given and fails a bad write alone.
 */
const dir = mkdtempSync(join(tmpdir(), 'copilotkit-group-commit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const delta = (text: string): BaseEvent => ({ type: 'TEXT_MESSAGE_CONTENT', messageId: 'm', delta: text }) as BaseEvent;

/** A real database that counts the transactions run on it. */
function countingDatabase(): { database: SqliteDatabaseLike; transactions: () => number } {
  const db = new Database(join(dir, `${randomUUID()}.sqlite`));
  let count = 0;
  const database: SqliteDatabaseLike = {
    prepare: (sql) => db.prepare(sql),
    exec: (sql) => db.exec(sql),
    pragma: (sql, options) => db.pragma(sql, options),
    close: () => db.close(),
    transaction: (work) => {
      type Run = (...args: unknown[]) => unknown;
      const transaction = db.transaction(work) as unknown as Run & { immediate: Run };
      const counted: Run = (...args) => (count++, transaction(...args));
      return Object.assign(counted, { immediate: (...args: unknown[]) => (count++, transaction.immediate(...args)) }) as never;
    },
  };
  return { database, transactions: () => count };
}

describe('SQLite group commit', () => {
  let store: SqliteThreadStore;
  let counted: ReturnType<typeof countingDatabase>;
  beforeEach(async () => {
    counted = countingDatabase();
    store = new SqliteThreadStore({ database: counted.database });
    await store.open();
  });
  afterEach(async () => {
    await store.close();
    counted.database.close();
  });

  async function begun(count: number): Promise<string[]> {
    const threads = Array.from({ length: count }, () => randomUUID());
    for (const threadId of threads) expect(await store.beginRun({ threadId, runId: 'r', agentId: 'a' })).toBe('started');
    return threads;
  }

  /** Each thread's one run, as its status and how many events it holds. */
  async function statusAndEventCount(threads: string[]): Promise<Array<[string, number]>> {
    const runs = await Promise.all(threads.map((threadId) => store.getRuns(threadId)));
    return runs.map(([run]) => [run.status, run.events.length]);
  }

  it('commits the writes of every run in one turn in one transaction', async () => {
    const threads = await begun(3);
    const before = counted.transactions();
    await Promise.all([
      store.appendEvents(threads[0], 'r', 0, [delta('a')]),
      store.finishRun(threads[1], 'r', 0, [delta('b')]),
      store.finishRun(threads[2], 'r', 0, [delta('c'), delta('d')]),
    ]);

    expect(counted.transactions() - before).toBe(1);
    expect(await statusAndEventCount(threads)).toEqual([
      ['running', 1],
      ['finished', 1],
      ['finished', 2],
    ]);
  });

  it('takes the threads of runs that start in one turn in one transaction, each verdict as if taken alone in turn', async () => {
    const [first, second] = [randomUUID(), randomUUID()];
    const before = counted.transactions();
    const verdicts = await Promise.all([
      store.beginRun({ threadId: first, runId: 'r1', agentId: 'a', ownerId: 'ada' }),
      store.beginRun({ threadId: first, runId: 'r2', agentId: 'a', ownerId: 'ada' }),
      store.beginRun({ threadId: second, runId: 'r1', agentId: 'a', ownerId: 'ada' }),
      store.beginRun({ threadId: second, runId: 'r2', agentId: 'a', ownerId: 'bob' }),
    ]);

    expect(verdicts).toEqual(['started', 'busy', 'started', 'not-owner']);
    expect(counted.transactions() - before).toBe(1);
    expect((await store.getRuns(first)).map((run) => [run.runId, run.status])).toEqual([['r1', 'running']]);
  });

  it('reads what it was given in the same turn, before the commit was due', async () => {
    const [threadId] = await begun(1);
    const written = store.finishRun(threadId, 'r', 0, [delta('a'), delta('b')]);

    expect(await store.getRuns(threadId)).toEqual([expect.objectContaining({ status: 'finished', events: [delta('a'), delta('b')] })]);
    await written;
  });

  it('fails a write that cannot be stored on its own, and commits the others of its turn', async () => {
    const threads = await begun(3);
    const unstorable = { type: 'CUSTOM', name: 'n', value: 1n } as unknown as BaseEvent;
    const results = await Promise.allSettled([
      store.finishRun(threads[0], 'r', 0, [delta('a')]),
      store.finishRun(threads[1], 'r', 0, [unstorable]),
      store.finishRun(threads[2], 'r', 0, [delta('c')]),
    ]);

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await statusAndEventCount(threads)).toEqual([
      ['finished', 1],
      ['running', 0],
      ['finished', 1],
    ]);
  });

  it('commits what is waiting before it closes', async () => {
    const [threadId] = await begun(1);
    const written = store.finishRun(threadId, 'r', 0, [delta('a')]);
    await store.close();
    await written;

    const reopened = new SqliteThreadStore({ database: counted.database });
    await reopened.open();
    expect(await reopened.getRuns(threadId)).toEqual([expect.objectContaining({ status: 'finished', events: [delta('a')] })]);
  });
});
