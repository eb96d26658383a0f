import { idProblem } from './thread-id.js';
import type { ThreadRecord } from './thread-store.js';

/** The position after a thread in a list sorted newest first: its update time, then its id. */
export function encodeThreadCursor(thread: ThreadRecord): string {
  return Buffer.from(JSON.stringify([thread.updatedAt, thread.threadId])).toString('base64url');
}

/** An unreadable cursor starts from the top rather than failing the request. */
export function decodeThreadCursor(cursor: string | undefined): { updatedAt: number; id: string } | undefined {
  if (!cursor) return undefined;
  try {
    const [updatedAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [number, string];
    // Only what encodeThreadCursor writes: a forged value must not reach a query (a float breaks
    // PostgreSQL's bigint, a NUL or an over-long id its text and index).
    return Number.isSafeInteger(updatedAt) && typeof id === 'string' && idProblem(id) === undefined ? { updatedAt, id } : undefined;
  } catch {
    return undefined;
  }
}
