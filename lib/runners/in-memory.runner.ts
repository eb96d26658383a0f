import { InMemoryThreadStore, type InMemoryThreadStoreOptions } from './in-memory.thread-store.js';
import { StoreAgentRunner } from './store-agent-runner.js';

export type InMemoryAgentRunnerOptions = InMemoryThreadStoreOptions;

/**
 * Threads in this process's memory: the default runner. Fast and dependency-free, but history is
 * lost on restart and not shared between instances (use the SQLite or Redis + PostgreSQL runner).
 * Memory is bounded by `maxThreads` and `maxRunsPerThread`, evicting the oldest first; a thread
 * with a live run is never evicted.
 */
export class InMemoryAgentRunner extends StoreAgentRunner {
  constructor(options: InMemoryAgentRunnerOptions = {}) {
    super(new InMemoryThreadStore(options));
  }
}
