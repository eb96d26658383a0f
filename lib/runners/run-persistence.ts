import { Logger } from '@nestjs/common';
import type { BaseEvent } from '@ag-ui/core';
import type { ThreadStore } from './thread-store.js';

const logger = new Logger('CopilotKit');

/**
 * Writes a run's events to its store as they happen, batched per event-loop turn: one write for
 * a burst of tokens instead of one per token, and at most one turn of events lost to a crash.
 * Writes are chained, so they land in order.
 */
export class RunPersistence {
  private pending: BaseEvent[] = [];
  private pendingFrom = 0;
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private failed = false;

  constructor(
    private readonly store: ThreadStore,
    private readonly threadId: string,
    private readonly runId: string,
  ) {}

  add(event: BaseEvent, seq: number): void {
    if (this.pending.length === 0) this.pendingFrom = seq;
    this.pending.push(event);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  /** Writes what is pending; resolves when everything added so far is stored. */
  flush(): Promise<void> {
    this.scheduled = false;
    if (this.pending.length > 0) {
      const batch = this.pending;
      const from = this.pendingFrom;
      this.pending = [];
      this.chain = this.chain
        .then(() => this.store.appendEvents(this.threadId, this.runId, from, batch))
        .catch((error: unknown) => {
          // The stream to the client goes on; the stored history of this run is incomplete.
          if (!this.failed) logger.error(`Could not store events of run '${this.runId}': ${String(error)}`, (error as Error)?.stack);
          this.failed = true;
        });
    }
    return this.chain;
  }
}
