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

/**
 * One run joined with one of its batches of events (none for a run without events), ordered by run
 * then by the batch's first sequence; `events` is the batch as one JSON array.
 */
export interface RunBatchRow {
  position: number | string;
  run_id: string;
  agent_id: string;
  status: StoredRun['status'];
  started_at: number | string;
  events: string | null;
}

/** The `threads` columns, for a query that reads them next to another table's. */
export const THREAD_COLUMNS = ['id', 'owner_id', 'agent_id', 'name', 'archived', 'created_at', 'updated_at'] as const;

/**
 * A thread joined with its runs and their events: the thread's columns prefixed `thread_`, and no
 * run (a null `position`) for a thread without runs.
 */
export type ThreadRunBatchRow = { [K in keyof ThreadRow as `thread_${K}`]: ThreadRow[K] } & Omit<RunBatchRow, 'position'> & {
    position: RunBatchRow['position'] | null;
  };

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
export function runsFromRows(rows: readonly RunBatchRow[]): StoredRun[] {
  const runs = new Map<string, StoredRun>();
  for (const row of rows) {
    const position = String(row.position);
    let run = runs.get(position);
    if (!run) {
      run = { runId: row.run_id, agentId: row.agent_id, status: row.status, startedAt: Number(row.started_at), events: [] };
      runs.set(position, run);
    }
    // A loop, not push(...batch): a batch may hold more events than a call takes arguments.
    if (row.events !== null) for (const event of JSON.parse(row.events) as BaseEvent[]) run.events.push(event);
  }
  return [...runs.values()];
}

/** A page from rows fetched with `LIMIT limit + 1`: the extra row only says there is a next page. */
export function threadPage(rows: readonly ThreadRow[], limit: number): ThreadPage {
  const threads = rows.slice(0, limit).map(threadRecord);
  const last = threads[threads.length - 1];
  return { threads, nextCursor: rows.length > limit && last ? encodeThreadCursor(last) : null };
}

/** The thread and its runs from the rows of one join (none when the thread does not exist). */
export function threadWithRunsFromRows(rows: readonly ThreadRunBatchRow[]): { thread: ThreadRecord | undefined; runs: StoredRun[] } {
  const first = rows[0];
  if (!first) return { thread: undefined, runs: [] };
  const thread = threadRecord(
    Object.fromEntries(THREAD_COLUMNS.map((column) => [column, first[`thread_${column}`]])) as unknown as ThreadRow,
  );
  return { thread, runs: runsFromRows(rows.filter((row): row is ThreadRunBatchRow & RunBatchRow => row.position !== null)) };
}
