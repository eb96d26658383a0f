import { CopilotKitConfigurationError } from '../../errors/copilotkit-configuration.error.js';
import { withPooledClient, type PgPooledClient } from './pg-client.js';
import { INVALID_SCHEMA_NAME, POSTGRES_SCHEMA_TOO_NEW } from '../runners.messages.js';

/** What migrations use of a `pg` Pool or client. */
export interface PgQueryable {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as in `pg`: each query casts its rows to its own row type
  query(sql: string | PgNamedQuery, params?: unknown[]): Promise<{ rows: any[]; rowCount: number | null }>;
}

/** A query `pg` prepares once per connection under `name`, then only binds and executes. */
export interface PgNamedQuery {
  name: string;
  text: string;
  values: unknown[];
}

/**
 * The PostgreSQL schema, as numbered migrations applied in order, each once, inside a transaction
 * holding an advisory lock, so instances booting together do not race. Everything lives in one
 * schema of the application's choice (`copilotkit` by default).
 */
export const POSTGRES_MIGRATIONS: ReadonlyArray<{ version: number; sql: (schema: string) => string }> = [
  {
    version: 1,
    sql: (s) => `
      CREATE TABLE ${s}.threads (
        id TEXT PRIMARY KEY,
        owner_id TEXT,
        agent_id TEXT NOT NULL,
        name TEXT,
        archived BOOLEAN NOT NULL DEFAULT false,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE INDEX threads_by_owner ON ${s}.threads (owner_id, updated_at DESC, id);
      CREATE INDEX threads_by_age ON ${s}.threads (updated_at);

      CREATE TABLE ${s}.runs (
        position BIGSERIAL PRIMARY KEY,
        thread_id TEXT NOT NULL REFERENCES ${s}.threads (id) ON DELETE CASCADE,
        run_id TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'finished')),
        lease_expires_at BIGINT,
        started_at BIGINT NOT NULL,
        UNIQUE (thread_id, run_id)
      );
      -- The lock shared by every instance: at most one running run per thread.
      CREATE UNIQUE INDEX runs_one_running_per_thread ON ${s}.runs (thread_id) WHERE status = 'running';
      CREATE INDEX runs_by_lease ON ${s}.runs (lease_expires_at) WHERE status = 'running';

      -- Events as their JSON text: jsonb would reorder keys, and replays must be byte-identical.
      CREATE TABLE ${s}.events (
        run_position BIGINT NOT NULL REFERENCES ${s}.runs (position) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        event TEXT NOT NULL,
        PRIMARY KEY (run_position, seq)
      );
    `,
  },
  {
    // A run's events as the batches it wrote them in, each one JSON array (text, as written): a
    // batch is one row to insert and one string to parse, instead of one row per event. Existing
    // runs become one batch each.
    version: 2,
    sql: (s) => `
      CREATE TABLE ${s}.event_batches (
        run_position BIGINT NOT NULL REFERENCES ${s}.runs (position) ON DELETE CASCADE,
        from_seq INTEGER NOT NULL,
        events TEXT NOT NULL,
        PRIMARY KEY (run_position, from_seq)
      );
      INSERT INTO ${s}.event_batches (run_position, from_seq, events)
        SELECT run_position, MIN(seq), '[' || string_agg(event, ',' ORDER BY seq) || ']' FROM ${s}.events GROUP BY run_position;
      DROP TABLE ${s}.events;
    `,
  },
];

export const POSTGRES_SCHEMA_VERSION = POSTGRES_MIGRATIONS[POSTGRES_MIGRATIONS.length - 1].version;

/** A schema name is put into SQL text, so only plain identifiers are accepted. */
export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(INVALID_SCHEMA_NAME(schema));
  }
  return schema;
}

/**
 * Brings the schema to the current version. Safe to call from every instance at boot, or once from
 * a deployment step (`await migratePostgres(pool, 'copilotkit')`) with `migrate: false` on the runner.
 */
export async function migratePostgres(pool: { connect(): Promise<PgPooledClient> }, schema = 'copilotkit'): Promise<number> {
  const s = checkSchemaName(schema);
  return withPooledClient(pool, async (client) => {
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`nestjs-copilotkit:${s}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`);
      const { rows } = await client.query(`SELECT COALESCE(MAX(version), 0) AS version FROM ${s}.schema_migrations`);
      const current = Number(rows[0].version);
      if (current > POSTGRES_SCHEMA_VERSION) {
        throw new CopilotKitConfigurationError(POSTGRES_SCHEMA_TOO_NEW(s, current, POSTGRES_SCHEMA_VERSION));
      }
      for (const migration of POSTGRES_MIGRATIONS.filter((m) => m.version > current)) {
        await client.query(migration.sql(s));
        await client.query(`INSERT INTO ${s}.schema_migrations (version, applied_at) VALUES ($1, $2)`, [migration.version, Date.now()]);
      }
      await client.query('COMMIT');
      return POSTGRES_SCHEMA_VERSION;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}
