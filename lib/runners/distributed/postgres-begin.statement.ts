import { THREAD_COLUMNS } from '../sql-rows.js';

/**
 * Taking a thread for a run, in one statement so that it costs one round trip whatever the latency
 * to PostgreSQL. Parameters: thread id, owner id, agent id, now, run id, lease expiry.
 *
 * The upsert locks the thread's row (a second begin on it waits for the first to commit); the
 * one-running-run index settles a race the checks' snapshot cannot see, as a unique violation the
 * store reads as 'busy'. Only its owner (or anyone, on an unowned thread) moves `updated_at`.
 *
 * With `andRead`, a started run's thread (as the upsert left it) and finished runs come back in the
 * same rows, one per batch of events. The snapshot misses no finished run: a run running in it
 * makes the verdict 'busy', and one begun after it is still running when this statement inserts
 * (ending it updates the thread's row, which the upsert holds), so the index makes it 'busy' too.
 */
export function beginStatement(schema: string, andRead: boolean): string {
  const read = andRead
    ? `, ${THREAD_COLUMNS.map((column) => `t.${column} AS thread_${column}`).join(', ')},
         r.position, r.run_id, r.agent_id, r.status, r.started_at, b.events
       FROM verdict v CROSS JOIN thread t
         LEFT JOIN ${schema}.runs r ON v.result = 'started' AND r.thread_id = $1 AND r.status = 'finished'
         LEFT JOIN ${schema}.event_batches b ON b.run_position = r.position
       ORDER BY r.position, b.from_seq`
    : ' FROM verdict v';
  return `WITH thread AS (
      INSERT INTO ${schema}.threads AS t (id, owner_id, agent_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
      ON CONFLICT (id) DO UPDATE SET updated_at =
        CASE WHEN t.owner_id IS NULL OR t.owner_id = EXCLUDED.owner_id THEN EXCLUDED.updated_at ELSE t.updated_at END
      RETURNING ${THREAD_COLUMNS.join(', ')}
    ), verdict AS (
      SELECT CASE
        WHEN (SELECT owner_id FROM thread) IS NOT NULL AND (SELECT owner_id FROM thread) IS DISTINCT FROM $2::text THEN 'not-owner'
        WHEN EXISTS (SELECT 1 FROM ${schema}.runs WHERE thread_id = $1 AND status = 'running') THEN 'busy'
        WHEN EXISTS (SELECT 1 FROM ${schema}.runs WHERE thread_id = $1 AND run_id = $5) THEN 'duplicate-run'
        ELSE 'started' END AS result
    ), started AS (
      INSERT INTO ${schema}.runs (thread_id, run_id, agent_id, status, lease_expires_at, started_at)
      SELECT $1, $5, $3, 'running', $6, $4 FROM verdict WHERE result = 'started'
    )
    SELECT v.result${read}`;
}
