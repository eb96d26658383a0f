import { CopilotKitConfigurationError } from '../../errors/copilotkit-configuration.error.js';
import { packageRequire } from '../../platform/package-require.cjs';
import { MISSING_RUNNER_PACKAGE } from '../runners.messages.js';

/** What the store uses of a `better-sqlite3` Database. */
export interface Statement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as better-sqlite3 declares it, so its Database is assignable
export type AnyFunction = (...args: any[]) => unknown;
type ArgumentsOf<F> = F extends (...args: infer A) => unknown ? A : never;

/** A `better-sqlite3` transaction function: call it, or `immediate()` to take the write lock first. */
export interface SqliteTransactionLike<F extends AnyFunction> {
  (...args: ArgumentsOf<F>): ReturnType<F>;
  immediate(...args: ArgumentsOf<F>): ReturnType<F>;
}

export interface SqliteDatabaseLike {
  prepare(sql: string): Statement;
  exec(sql: string): unknown;
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  transaction<F extends AnyFunction>(fn: F): SqliteTransactionLike<F>;
  close(): unknown;
}

/** Opens `path` with `better-sqlite3`, an optional peer: a clear error names it when it is missing. */
export function openDatabase(path: string): SqliteDatabaseLike {
  let Database: new (path: string) => SqliteDatabaseLike;
  try {
    Database = packageRequire('better-sqlite3');
  } catch {
    throw new CopilotKitConfigurationError(MISSING_RUNNER_PACKAGE('SqliteAgentRunner', 'better-sqlite3'));
  }
  return new Database(path);
}
