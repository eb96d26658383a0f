import type { BaseEvent } from '@ag-ui/core';

/** A conversation as the store keeps it. */
export interface ThreadRecord {
  threadId: string;
  /** Who may see and continue it; undefined for threads started without an identity. */
  ownerId?: string;
  agentId: string;
  name?: string;
  archived: boolean;
  createdAt: number;
  updatedAt: number;
}

/** One run of a thread with every event it produced, in order (an event's sequence is its index). */
export interface StoredRun {
  runId: string;
  agentId: string;
  /** `running` while an instance works on it; a run left `running` by a dead process is recovered. */
  status: 'running' | 'finished';
  events: BaseEvent[];
  startedAt: number;
}

export type BeginRunResult = 'started' | 'busy' | 'not-owner' | 'duplicate-run';

/**
 * What `beginRunAndRead` gives: the verdict and, for a started run, the thread and its finished
 * runs as they were when the run took the thread.
 */
export type BegunRun =
  { result: 'started'; thread: ThreadRecord | undefined; finishedRuns: StoredRun[] } | { result: Exclude<BeginRunResult, 'started'> };

export interface ThreadQuery {
  ownerId: string | undefined;
  agentId?: string;
  includeArchived?: boolean;
  limit: number;
  /** Opaque, from the previous page's `nextCursor`. */
  cursor?: string;
}

export interface ThreadPage {
  threads: ThreadRecord[];
  nextCursor: string | null;
}

/**
 * Where threads and their events live. The runner owns live runs in this process; the store owns
 * what must outlive them: threads with their owner, runs and their events, and the per-thread lock.
 * All methods may be synchronous inside; they are async so a networked store fits too.
 */
export abstract class ThreadStore {
  /** Whether history survives a restart (it decides the default of server-authoritative history). */
  abstract readonly durable: boolean;

  /**
   * Atomically: creates the thread if new (owned by `ownerId`), refuses it when it belongs to
   * someone else, refuses it when another run holds it, else records the run as running.
   */
  abstract beginRun(run: { threadId: string; runId: string; agentId: string; ownerId?: string }): Promise<BeginRunResult>;

  /**
   * `beginRun`, then, for a started run, the read every run makes next: its thread and finished
   * runs. A store that can do both in one round trip (one statement, one transaction) should; the
   * default begins, then reads.
   */
  async beginRunAndRead(run: { threadId: string; runId: string; agentId: string; ownerId?: string }): Promise<BegunRun> {
    const result = await this.beginRun(run);
    if (result !== 'started') return { result };
    const { thread, runs } = await this.getThreadWithRuns(run.threadId);
    return { result, thread, finishedRuns: runs.filter((stored) => stored.status === 'finished') };
  }

  /** Appends events of a running run; `fromSeq` is the sequence of the first one. */
  abstract appendEvents(threadId: string, runId: string, fromSeq: number, events: BaseEvent[]): Promise<void>;

  /** Marks the run finished, which releases the thread. */
  abstract endRun(threadId: string, runId: string): Promise<void>;

  /**
   * Appends a run's last events and marks it finished. A store that can do both in one write
   * (one transaction, one round trip) should: every run ends this way. The default writes twice.
   */
  async finishRun(threadId: string, runId: string, fromSeq: number, events: BaseEvent[]): Promise<void> {
    if (events.length > 0) await this.appendEvents(threadId, runId, fromSeq, events);
    await this.endRun(threadId, runId);
  }

  abstract getThread(threadId: string): Promise<ThreadRecord | undefined>;

  /** Every retained run of the thread, oldest first, the running one included. */
  abstract getRuns(threadId: string): Promise<StoredRun[]>;

  /**
   * The thread and its runs as `getThread` and `getRuns` give them, which every run reads before it
   * starts. A store that can read both at once (one query) should. The default reads them side by side.
   */
  async getThreadWithRuns(threadId: string): Promise<{ thread: ThreadRecord | undefined; runs: StoredRun[] }> {
    const [thread, runs] = await Promise.all([this.getThread(threadId), this.getRuns(threadId)]);
    return { thread, runs };
  }

  /** The caller's threads, most recently updated first. */
  abstract listThreads(query: ThreadQuery): Promise<ThreadPage>;

  abstract updateThread(threadId: string, changes: { name?: string; archived?: boolean }): Promise<void>;

  abstract deleteThread(threadId: string): Promise<void>;

  /**
   * Keeps the runs this process works on marked alive. A durable store gives each running run a
   * lease; a run whose lease ran out belongs to a process that died, and is recovered.
   */
  renewLeases(_runs: ReadonlyArray<{ threadId: string; runId: string }>): Promise<void> {
    return Promise.resolve();
  }

  /** Runs marked running whose lease expired (of one thread, or of all). */
  expiredRuns(_threadId?: string): Promise<Array<{ threadId: string; runId: string }>> {
    return Promise.resolve([]);
  }

  /** Deletes what the retention settings no longer keep. */
  applyRetention(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Opens what the store needs (connection, file) and brings its schema up to date. Called by the
   * runner when the application starts, never at construction; called again, with backoff, while
   * it fails, so it must be safe to repeat after a failure.
   */
  open(): Promise<void> {
    return Promise.resolve();
  }

  /** Releases what the store holds (connections, timers). */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
