import { StoreAgentRunner, type StoreAgentRunnerOptions } from '../store-agent-runner.js';
import { SqliteThreadStore, type SqliteThreadStoreOptions } from './sqlite.thread-store.js';

export type SqliteAgentRunnerOptions = SqliteThreadStoreOptions & StoreAgentRunnerOptions;

/**
 * Threads in a SQLite file: the embedded durable runner. History survives restarts with full
 * event fidelity, threads belong to their owners, and a run cut off by a crash is closed on the
 * next start. One process per file (see `exclusive` to share one between processes).
 *
 * ```ts
 * CopilotKitModule.forRoot({ agents, runner: new SqliteAgentRunner({ path: 'data/threads.sqlite' }) })
 * ```
 */
export class SqliteAgentRunner extends StoreAgentRunner {
  constructor(options: SqliteAgentRunnerOptions = {}) {
    super(new SqliteThreadStore(options), options);
  }
}
