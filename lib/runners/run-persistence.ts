import { Logger } from '@nestjs/common';
import type { BaseEvent } from '@ag-ui/core';
import type { ThreadStore } from './thread-store.js';
import { EVENTS_NOT_WRITTEN } from './runners.messages.js';

/**
 * Writes a run's events to its store as they happen, batched per event-loop turn: one write for
 * a burst of tokens instead of one per token, and at most one turn of events lost to a crash.
 * Writes are chained, so they land in order; after the first failed one, nothing more is written.
 */
export class RunPersistence {
  private readonly logger = new Logger(RunPersistence.name);
  private pending: BaseEvent[] = [];
  private pendingFrom = 0;
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private broken = false;

  constructor(
    private readonly store: ThreadStore,
    private readonly threadId: string,
    private readonly runId: string,
    /** After each stored batch (to publish it); a failure here counts as a failed write. */
    private readonly stored: (fromSeq: number, events: BaseEvent[]) => Promise<void>,
    /** Called once when a write (`store`) or its publication (`stored` hook) fails. */
    private readonly failed: (failure: 'store' | 'publish', error: unknown) => void,
  ) {}

  add(event: BaseEvent, seq: number): void {
    if (this.pending.length === 0) this.pendingFrom = seq;
    this.pending.push(event);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private fail(failure: 'store' | 'publish', error: unknown): void {
    if (this.broken) return;
    this.broken = true;
    this.logger.error(EVENTS_NOT_WRITTEN(failure, this.runId, String(error)), (error as Error)?.stack);
    this.failed(failure, error);
  }

  /** Writes what is pending; resolves when everything added so far is stored. */
  flush(): Promise<void> {
    this.scheduled = false;
    if (this.pending.length > 0) {
      const batch = this.pending;
      const from = this.pendingFrom;
      this.pending = [];
      this.chain = this.chain.then(async () => {
        if (this.broken) return;
        try {
          await this.store.appendEvents(this.threadId, this.runId, from, batch);
        } catch (error) {
          return this.fail('store', error);
        }
        await this.stored(from, batch).catch((error: unknown) => this.fail('publish', error));
      });
    }
    return this.chain;
  }
}
