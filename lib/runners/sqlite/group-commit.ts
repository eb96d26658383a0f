import type { BaseEvent } from '@ag-ui/core';

/** Events a run stores, and whether they end it. */
export interface RunWrite {
  threadId: string;
  runId: string;
  fromSeq: number;
  events: BaseEvent[];
  finished: boolean;
}

/**
 * Group commit for an embedded database: the writes every run makes during one turn of the event
 * loop are committed in one transaction at the turn's end, instead of one commit per run. A commit
 * is most of what a write costs SQLite (its WAL frames), and many runs stream at once.
 *
 * Nothing waits longer than that turn. Whoever reads (or writes otherwise) calls `flush()` first,
 * so the store still reads what it was given. A group that fails is committed again write by
 * write, so that one run's bad write fails that run alone.
 */
export class GroupCommit {
  private queued: Array<{ write: RunWrite; settle: (error?: unknown) => void }> = [];

  constructor(
    /** Commits all of them in one transaction, or throws. */
    private readonly commitAll: (writes: RunWrite[]) => void,
    /** Commits one in a transaction of its own, or throws. */
    private readonly commitOne: (write: RunWrite) => void,
  ) {}

  /** Resolves once the write is committed; rejects with its own failure. */
  add(write: RunWrite): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const first = this.queued.push({ write, settle: (error) => (error === undefined ? resolve() : reject(error)) }) === 1;
      if (first) setImmediate(() => this.flush());
    });
  }

  /** Commits what is waiting, now. */
  flush(): void {
    const queued = this.queued.splice(0);
    if (queued.length === 0) return;
    try {
      this.commitAll(queued.map(({ write }) => write));
      queued.forEach(({ settle }) => settle());
    } catch {
      for (const { write, settle } of queued) {
        try {
          this.commitOne(write);
          settle();
        } catch (error) {
          settle(error ?? new Error('write failed'));
        }
      }
    }
  }
}
