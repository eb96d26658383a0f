import type { PgQueryable } from './postgres.migrations.js';

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
