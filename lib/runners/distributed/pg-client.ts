import { Logger } from '@nestjs/common';
import { CopilotKitConfigurationError } from '../../errors/copilotkit-configuration.error.js';
import { packageRequire } from '../../platform/package-require.cjs';
import { MISSING_RUNNER_PACKAGE, POSTGRES_CONNECTION_LOST } from '../runners.messages.js';
import type { PgQueryable } from './postgres.migrations.js';

/** What the store uses of a `pg` Pool. */
export interface PgPoolLike extends PgQueryable {
  connect(): Promise<PgPooledClient>;
  end(): Promise<void>;
}

/** A client checked out of a `pg` Pool. */
export interface PgPooledClient extends PgQueryable {
  release(): void;
  on?(event: 'error', listener: (error: Error) => void): unknown;
  removeListener?(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Runs `work` on a client of its own (for a transaction) and gives it back. pg emits 'error' on a
 * checked-out client whose connection drops, and an 'error' nobody listens to ends the process;
 * the query in flight rejects anyway, which is what the caller handles.
 */
export async function withPooledClient<T>(
  pool: { connect(): Promise<PgPooledClient> },
  work: (client: PgPooledClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  const ignore = () => undefined;
  client.on?.('error', ignore);
  try {
    return await work(client);
  } finally {
    client.removeListener?.('error', ignore);
    client.release();
  }
}

/** A `pg` Pool made from the application's options (`pg` is an optional peer, loaded only here). */
export function createPgPool(options: Record<string, unknown>): PgPoolLike {
  let pg: {
    Pool: new (options: Record<string, unknown>) => PgPoolLike & { on(event: 'error', listener: (error: Error) => void): unknown };
  };
  try {
    pg = packageRequire('pg');
  } catch {
    throw new CopilotKitConfigurationError(MISSING_RUNNER_PACKAGE('RedisPostgresAgentRunner', 'pg'));
  }
  // pg waits for a connection forever by default; a server that accepts but never answers would hold every request.
  const pool = new pg.Pool({ connectionTimeoutMillis: 10_000, ...options });
  // An idle connection dropped by the server must not take the process down; the pool replaces it.
  const logger = new Logger('PostgresThreadStore');
  pool.on('error', (error) => logger.warn(POSTGRES_CONNECTION_LOST(error.message)));
  return pool;
}
