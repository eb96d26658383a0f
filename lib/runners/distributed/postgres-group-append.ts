import type { BaseEvent } from '@ag-ui/core';

/** A batch of one run's events waiting to be appended. */
export interface PendingAppend {
  threadId: string;
  runId: string;
  fromSeq: number;
  events: BaseEvent[];
}

/**
 * Group commit for PostgreSQL: while one group of appends is being written, the appends of every
 * run that streams meanwhile wait, and go as the next group, in one statement. Sixty-four runs
 * that stream a token each turn are then a few statements a turn instead of sixty-four; with one
 * run at a time, each append goes at once, as before.
 *
 * A run's appends stay in order: it sends its next one only once the last is stored. A group that
 * fails is written again append by append, so that one run's failure is its own.
 */
export class PostgresGroupAppend {
  private queued: Array<{ append: PendingAppend; settle: (error?: unknown) => void }> = [];
  private writing = false;

  constructor(
    /** Appends them in one statement, or rejects. */
    private readonly append: (appends: PendingAppend[]) => Promise<unknown>,
  ) {}

  /** Resolves once the append is stored; rejects with its own failure. */
  add(append: PendingAppend): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queued.push({ append, settle: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!this.writing) void this.write();
    });
  }

  private async write(): Promise<void> {
    this.writing = true;
    while (this.queued.length > 0) {
      const group = this.queued.splice(0);
      try {
        await this.append(group.map(({ append }) => append));
        group.forEach(({ settle }) => settle());
      } catch {
        await Promise.all(
          group.map(({ append, settle }) =>
            this.append([append]).then(
              () => settle(),
              (error: unknown) => settle(error ?? new Error('append failed')),
            ),
          ),
        );
      }
    }
    this.writing = false;
  }
}
