import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { BaseEvent } from '@ag-ui/core';
import { PostgresThreadStore, type PgPoolLike } from '../../lib/index.js';

/**
 * PostgreSQL group commit: the appends of runs that stream while one append is being written go as
 * one statement, each run's rows as it sent them, and one run's failure stays its own.
 */
const connectionString = 'postgres://postgres@127.0.0.1:5432/test';
const schema = `copilotkit_group_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
const pool = new pg.Pool({ connectionString, max: 4 });
const inserts: string[] = [];
const counting: PgPoolLike = {
  query: ((text: string | { name: string; text: string; values: unknown[] }, values?: unknown[]) => {
    if (typeof text !== 'string' && text.text.includes('INSERT INTO') && text.text.includes('.event_batches')) inserts.push(text.name);
    return typeof text === 'string' ? pool.query(text, values) : pool.query(text);
  }) as PgPoolLike['query'],
  connect: () => pool.connect(),
  end: () => pool.end(),
};
const store = new PostgresThreadStore({ postgres: counting, schema });
const delta = (text: string): BaseEvent => ({ type: 'TEXT_MESSAGE_CONTENT', messageId: 'm', delta: text }) as BaseEvent;

beforeAll(() => store.open());
afterAll(async () => {
  await store.close();
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
});

async function begun(count: number): Promise<string[]> {
  const threads = Array.from({ length: count }, () => randomUUID());
  for (const threadId of threads) expect(await store.beginRun({ threadId, runId: 'r', agentId: 'a' })).toBe('started');
  return threads;
}

it('writes the appends that wait for one in flight as one statement, each run as it sent them', async () => {
  const threads = await begun(5);
  // A NUL and a lone surrogate too: PostgreSQL cannot take JSON holding them apart, so the group must not need to.
  const sent = (i: number, round: number) => [delta(`${i}.${round}a \u0000 \ud800`), delta(`${i}.${round}b 🦜 "\\u0000`)];
  inserts.length = 0;
  for (const round of [0, 1]) await Promise.all(threads.map((threadId, i) => store.appendEvents(threadId, 'r', round * 2, sent(i, round))));

  // In each round the first goes at once, and the four sent while it was in flight go together.
  expect(inserts).toHaveLength(4);
  const runs = await Promise.all(threads.map((threadId) => store.getRuns(threadId)));
  runs.forEach(([run], i) => expect(run.events).toEqual([...sent(i, 0), ...sent(i, 1)]));
});

it('fails an append that cannot be stored on its own, and stores the others of its group', async () => {
  const threads = await begun(4);
  const results = await Promise.allSettled(
    // 2^31 is past PostgreSQL's integer sequence: that append alone is refused.
    threads.map((threadId, i) => store.appendEvents(threadId, 'r', i === 2 ? 2 ** 31 : 0, [delta(`${i}`)])),
  );

  expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  const runs = await Promise.all(threads.map((threadId) => store.getRuns(threadId)));
  expect(runs.map(([run]) => run.events.length)).toEqual([1, 1, 0, 1]);
});
