/**
 * The SQLite schema, as numbered migrations applied in order at open, each once, in a
 * transaction. A database written by a newer version of this package is refused, not guessed at.
 */
export const SQLITE_MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE threads (
        id TEXT PRIMARY KEY,
        owner_id TEXT,
        agent_id TEXT NOT NULL,
        name TEXT,
        archived INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX threads_by_owner ON threads (owner_id, updated_at DESC, id);
      CREATE INDEX threads_by_age ON threads (updated_at);

      CREATE TABLE runs (
        position INTEGER PRIMARY KEY AUTOINCREMENT,
        thread_id TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
        run_id TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'finished')),
        lease_expires_at INTEGER,
        started_at INTEGER NOT NULL,
        UNIQUE (thread_id, run_id)
      );
      -- The per-thread lock: at most one running run per thread, enforced by the database.
      CREATE UNIQUE INDEX runs_one_running_per_thread ON runs (thread_id) WHERE status = 'running';
      CREATE INDEX runs_by_lease ON runs (lease_expires_at) WHERE status = 'running';

      CREATE TABLE events (
        run_position INTEGER NOT NULL REFERENCES runs (position) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        event TEXT NOT NULL,
        PRIMARY KEY (run_position, seq)
      ) WITHOUT ROWID;
    `,
  },
];

export const SQLITE_SCHEMA_VERSION = SQLITE_MIGRATIONS[SQLITE_MIGRATIONS.length - 1].version;
