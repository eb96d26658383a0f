/**
 * Whether a thread store's error is about the values the call carried, so that retrying the same
 * call can never succeed, rather than about the store's health. The two must be told apart: an
 * outage answers 503 with Retry-After, which tells clients to retry, and a client told to retry a
 * request the store can never hold retries forever.
 *
 * Recognised by shape, since neither driver is a dependency here:
 * - PostgreSQL SQLSTATE class 22 (data exception: a NUL in text, a value out of range) and class 54
 *   (program limit exceeded: an index row past the btree limit). Every SQLSTATE is five digits or
 *   capitals; Node's own error codes (`ECONNRESET`, `ERR_...`) never look like one.
 * - better-sqlite3: `SQLITE_TOOBIG` and `SQLITE_RANGE`, and the RangeError and TypeError it throws
 *   while binding values (an array spreads into too many parameters, an object binds nothing).
 *
 * Anything else, connection and timeout errors included, is treated as the store being unavailable.
 * Read by name, not `instanceof`: a native addon's errors may come from another realm.
 */
export function isUnstorableInput(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, message } = error as { name?: unknown; code?: unknown; message?: unknown };
  if (typeof name !== 'string' || typeof message !== 'string') return false;
  if (typeof code === 'string' && POSTGRES_INPUT_CLASSES.test(code)) return true;
  if (name === 'SqliteError') return typeof code === 'string' && SQLITE_INPUT_CODES.has(code);
  if (name === 'RangeError') return /parameter/i.test(message);
  if (name === 'TypeError') return /can only bind/i.test(message);
  return false;
}

const POSTGRES_INPUT_CLASSES = /^(?:22|54)[0-9A-Z]{3}$/;

const SQLITE_INPUT_CODES: ReadonlySet<string> = new Set(['SQLITE_TOOBIG', 'SQLITE_RANGE']);
