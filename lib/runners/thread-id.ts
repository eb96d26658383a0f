import { ID_HAS_NUL, ID_NOT_WELL_FORMED, ID_TOO_LONG } from './runners.messages.js';

/**
 * The longest thread, run or agent id the runtime takes, in UTF-16 code units (JavaScript's
 * `length`). Chosen so that every store holds it: PostgreSQL's btree refuses an index entry over
 * 2704 bytes, and its widest entry holding ids is `(thread_id, run_id)`; 256 code units are at most
 * 768 bytes of UTF-8, so both ids fit with room to spare. SQLite and memory have no such limit.
 */
export const MAX_ID_LENGTH = 256;

const UNPAIRED_SURROGATE = /\p{Cs}/u;

/**
 * Why `id` cannot name a thread or a run in every store, or `undefined` when it can. PostgreSQL
 * text cannot hold NUL at all; an unpaired surrogate is written to every store as U+FFFD, so two
 * different ids would name one stored thread. Content (messages, state) is stored as JSON text,
 * where both are escaped, so only ids are checked.
 */
export function idProblem(id: string): string | undefined {
  if (id.length > MAX_ID_LENGTH) return ID_TOO_LONG(MAX_ID_LENGTH);
  if (id.includes('\u0000')) return ID_HAS_NUL;
  if (UNPAIRED_SURROGATE.test(id)) return ID_NOT_WELL_FORMED;
  return undefined;
}
