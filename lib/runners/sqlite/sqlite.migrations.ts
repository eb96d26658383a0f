import { CopilotKitConfigurationError } from '../../errors/copilotkit-configuration.error.js';
import { SQLITE_SCHEMA_TOO_NEW } from '../runners.messages.js';
import type { SqliteDatabaseLike } from './sqlite-database.js';

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
  {
    // A run's events as the batches it wrote them in, each one JSON array: a batch is one row to
    // insert and one string to parse, instead of one row per event. Existing runs become one batch each.
    version: 2,
    sql: `
      CREATE TABLE event_batches (
        run_position INTEGER NOT NULL REFERENCES runs (position) ON DELETE CASCADE,
        from_seq INTEGER NOT NULL,
        events TEXT NOT NULL,
        PRIMARY KEY (run_position, from_seq)
      ) WITHOUT ROWID;
      INSERT INTO event_batches (run_position, from_seq, events)
        SELECT run_position, MIN(seq), '[' || group_concat(event, ',' ORDER BY seq) || ']' FROM events GROUP BY run_position;
      DROP TABLE events;
    `,
  },
];

export const SQLITE_SCHEMA_VERSION = SQLITE_MIGRATIONS[SQLITE_MIGRATIONS.length - 1].version;

/** Brings the file's schema up to date, each migration once, in a transaction; refuses a newer one. */
export function migrateSqlite(db: SqliteDatabaseLike): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const current = (db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null }).version ?? 0;
  if (current > SQLITE_SCHEMA_VERSION) {
    throw new CopilotKitConfigurationError(SQLITE_SCHEMA_TOO_NEW(current, SQLITE_SCHEMA_VERSION));
  }
  for (const migration of SQLITE_MIGRATIONS.filter((m) => m.version > current)) {
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(migration.version, Date.now());
    })();
  }
}
