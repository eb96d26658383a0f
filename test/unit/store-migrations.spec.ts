import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { BaseEvent } from '@ag-ui/core';
import { PostgresThreadStore, SqliteThreadStore, type ThreadStore } from '../../lib/index.js';
import { SQLITE_MIGRATIONS } from '../../lib/runners/sqlite/sqlite.migrations.js';
import { POSTGRES_MIGRATIONS } from '../../lib/runners/distributed/postgres.migrations.js';

/**
 * A database written by a release on schema 1 (one row per event) keeps its whole history once the
 * store migrates it to batches, and its runs go on from there.
 */
const connectionString = 'postgres://postgres@127.0.0.1:5432/test';
const dir = mkdtempSync(join(tmpdir(), 'copilotkit-migrations-'));
const delta = (runId: string, text: string): BaseEvent =>
  ({ type: 'TEXT_MESSAGE_CONTENT', messageId: `m-${runId}`, delta: text }) as BaseEvent;

/** Schema 1's content: a finished run (its rows written out of order), a running one, one without events. */
const finished = ['first " \\ \n', 'nul \u0000 lone \ud800', 'emoji 🦜 漢字'].map((text) => delta('r1', text));
const running = [delta('r2', 'a'), delta('r2', 'b')];
const rows: Array<[position: number, seq: number, event: BaseEvent]> = [
  [1, 2, finished[2]],
  [1, 0, finished[0]],
  [2, 1, running[1]],
  [1, 1, finished[1]],
  [2, 0, running[0]],
];

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function expectMigratedHistory(store: ThreadStore, threadId: string): Promise<void> {
  expect((await store.getRuns(threadId)).map((run) => [run.runId, run.status, run.events])).toEqual([
    ['r1', 'finished', finished],
    ['r2', 'running', running],
    ['r3', 'finished', []],
  ]);
  // The running run goes on after its migrated events.
  await store.appendEvents(threadId, 'r2', 2, [delta('r2', 'c')]);
  await store.finishRun(threadId, 'r2', 3, [delta('r2', 'd')]);
  const { runs } = await store.getThreadWithRuns(threadId);
  expect(runs[1].events.map((event) => (event as { delta?: string }).delta)).toEqual(['a', 'b', 'c', 'd']);
}

it('SQLite: migrates a schema-1 file to batches without losing or reordering an event', async () => {
  const path = join(dir, 'v1.sqlite');
  const threadId = randomUUID();
  const db = new Database(path);
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  db.exec(SQLITE_MIGRATIONS[0].sql);
  db.prepare('INSERT INTO schema_migrations VALUES (1, 0)').run();
  db.prepare("INSERT INTO threads (id, agent_id, created_at, updated_at) VALUES (?, 'agent', 0, 0)").run(threadId);
  for (const [runId, status] of [
    ['r1', 'finished'],
    ['r2', 'running'],
    ['r3', 'finished'],
  ]) {
    db.prepare('INSERT INTO runs (thread_id, run_id, agent_id, status, lease_expires_at, started_at) VALUES (?, ?, ?, ?, ?, 0)').run(
      threadId,
      runId,
      'agent',
      status,
      status === 'running' ? Date.now() + 60_000 : null,
    );
  }
  for (const [position, seq, event] of rows) {
    db.prepare('INSERT INTO events (run_position, seq, event) VALUES (?, ?, ?)').run(position, seq, JSON.stringify(event));
  }
  db.close();

  const store = new SqliteThreadStore({ path, exclusive: false });
  await store.open();
  try {
    await expectMigratedHistory(store, threadId);
  } finally {
    await store.close();
  }
  const migrated = new Database(path, { readonly: true });
  expect(migrated.prepare('SELECT version FROM schema_migrations ORDER BY version').all()).toEqual([{ version: 1 }, { version: 2 }]);
  expect(migrated.prepare("SELECT name FROM sqlite_master WHERE name = 'events'").all()).toEqual([]);
  migrated.close();
});

it('PostgreSQL: migrates a schema-1 schema to batches without losing or reordering an event', async () => {
  const schema = `copilotkit_v1_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
  const threadId = randomUUID();
  const pool = new pg.Pool({ connectionString, max: 2 });
  const store = new PostgresThreadStore({ postgres: pool, schema });
  try {
    await pool.query(`CREATE SCHEMA ${schema}`);
    await pool.query(`CREATE TABLE ${schema}.schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`);
    await pool.query(POSTGRES_MIGRATIONS[0].sql(schema));
    await pool.query(`INSERT INTO ${schema}.schema_migrations VALUES (1, 0)`);
    await pool.query(`INSERT INTO ${schema}.threads (id, agent_id, created_at, updated_at) VALUES ($1, 'agent', 0, 0)`, [threadId]);
    await pool.query(
      `INSERT INTO ${schema}.runs (thread_id, run_id, agent_id, status, lease_expires_at, started_at)
       VALUES ($1, 'r1', 'agent', 'finished', NULL, 0), ($1, 'r2', 'agent', 'running', $2, 0), ($1, 'r3', 'agent', 'finished', NULL, 0)`,
      [threadId, Date.now() + 60_000],
    );
    for (const [position, seq, event] of rows) {
      await pool.query(`INSERT INTO ${schema}.events (run_position, seq, event) VALUES ($1, $2, $3)`, [
        position,
        seq,
        JSON.stringify(event),
      ]);
    }

    await store.open();
    await expectMigratedHistory(store, threadId);
    expect((await pool.query(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`)).rows).toEqual([
      { version: 1 },
      { version: 2 },
    ]);
    expect((await pool.query(`SELECT to_regclass('${schema}.events') AS events`)).rows).toEqual([{ events: null }]);
  } finally {
    await store.close();
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  }
});
