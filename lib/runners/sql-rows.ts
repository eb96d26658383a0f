import type { BaseEvent } from '@ag-ui/core';
import { encodeThreadCursor } from './thread-cursor.js';
import type { StoredRun, ThreadPage, ThreadRecord } from './thread-store.js';

/**
 * A `threads` row as the SQL stores read it. SQLite gives integers and 0/1; PostgreSQL gives
 * BIGINT as text and real booleans: both become the same record.
 */
export interface ThreadRow {
  id: string;
  owner_id: string | null;
  agent_id: string;
  name: string | null;
  archived: boolean | number;
  created_at: number | string;
  updated_at: number | string;
}

/** One run joined with one of its events (none for a run without events), ordered by run then event. */
export interface RunEventRow {
  position: number | string;
  run_id: string;
  agent_id: string;
  status: StoredRun['status'];
  started_at: number | string;
  event: string | null;
}

export function threadRecord(row: ThreadRow): ThreadRecord {
  return {
    threadId: row.id,
    ...(row.owner_id !== null && { ownerId: row.owner_id }),
    agentId: row.agent_id,
    ...(row.name !== null && { name: row.name }),
    archived: row.archived === true || row.archived === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** The runs of a thread, in order, each with its events, from the rows of one join. */
export function runsFromRows(rows: readonly RunEventRow[]): StoredRun[] {
  const runs = new Map<string, StoredRun>();
  for (const row of rows) {
    const position = String(row.position);
    let run = runs.get(position);
    if (!run) {
      run = { runId: row.run_id, agentId: row.agent_id, status: row.status, startedAt: Number(row.started_at), events: [] };
      runs.set(position, run);
    }
    if (row.event !== null) run.events.push(JSON.parse(row.event) as BaseEvent);
  }
  return [...runs.values()];
}

/** A page from rows fetched with `LIMIT limit + 1`: the extra row only says there is a next page. */
export function threadPage(rows: readonly ThreadRow[], limit: number): ThreadPage {
  const threads = rows.slice(0, limit).map(threadRecord);
  const last = threads[threads.length - 1];
  return { threads, nextCursor: rows.length > limit && last ? encodeThreadCursor(last) : null };
}
