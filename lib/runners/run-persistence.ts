import { Logger } from '@nestjs/common';
import type { BaseEvent } from '@ag-ui/core';
import type { ThreadStore } from './thread-store.js';
import { atMost } from './time-bound.js';
import { EVENTS_NOT_WRITTEN, PUBLISH_TIMED_OUT, UNSTORED_EVENTS_LOST } from './runners.messages.js';

/** How long a batch's publication may take before the run is ended as one others cannot follow. */
const PUBLISH_TIMEOUT_MS = 2000;

/**
 * Writes a run's events to its store as they happen, batched per event-loop turn: one write for
 * a burst of tokens instead of one per token, and at most one turn of events lost to a crash.
 *
 * The store is what the run is replayed from, so nothing else may hold its writes back: each
 * stored batch is then published (a distributed runner tells the other instances) in a chain of
 * its own, bounded in time. A publication that fails ends the run, and that end is stored like
 * every other event, so a thread never replays a run the client saw end differently. A write
 * that fails ends the run too; what could not be written is tried once more when the run ends.
 */
export class RunPersistence {
  private readonly logger = new Logger(RunPersistence.name);
  private pending: BaseEvent[] = [];
  private pendingFrom = 0;
  private scheduled = false;
  private writes: Promise<void> = Promise.resolve();
  private publications: Promise<void> = Promise.resolve();
  /** Set once a write failed: from then on, events wait here for the last try in `finish()`. */
  private unstored: { from: number; events: BaseEvent[] } | undefined;
  private publishFailed = false;

  constructor(
    private readonly store: ThreadStore,
    private readonly threadId: string,
    private readonly runId: string,
    /** After each stored batch (to publish it); a failure or a hang here counts as a failed publication. */
    private readonly stored: (fromSeq: number, events: BaseEvent[]) => Promise<void>,
    /** Called once per kind when a write (`store`) or its publication (`publish`) fails. */
    private readonly failed: (failure: 'store' | 'publish', error: unknown) => void,
  ) {}

  add(event: BaseEvent, seq: number): void {
    if (this.pending.length === 0) this.pendingFrom = seq;
    this.pending.push(event);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Writes what is pending, once the writes before it are done. */
  private flush(): void {
    const { from, events } = this.takePending();
    if (events.length > 0) this.writes = this.writes.then(() => this.write(from, events));
  }

  /** What was added since the last write, taken for one write of its own. */
  private takePending(): { from: number; events: BaseEvent[] } {
    this.scheduled = false;
    const taken = { from: this.pendingFrom, events: this.pending };
    this.pending = [];
    return taken;
  }

  /**
   * Once the run has ended: stores what is left and marks the run finished, in one write where the
   * store can (see `ThreadStore.finishRun`). What a failed write could not store goes with it: the
   * store may be back. When that write fails, the run is still marked finished, without those
   * events, so that its thread is not held; rejects when even that fails (the run's lease then
   * lets recovery close it).
   */
  async finish(): Promise<void> {
    const { from, events: batch } = this.takePending();
    await this.writes;
    const unstored = this.unstored;
    if (unstored) unstored.events.push(...batch);
    const last = unstored ?? { from, events: batch };
    try {
      await this.store.finishRun(this.threadId, this.runId, last.from, last.events);
    } catch (error) {
      if (last.events.length === 0) throw error;
      this.logger.error(UNSTORED_EVENTS_LOST(last.events.length, this.runId, String(error)));
      return this.store.endRun(this.threadId, this.runId);
    }
    this.unstored = undefined;
    // Events stored late, after a failure, were never announced; followers read them from the store.
    if (!unstored && batch.length > 0) this.publish(from, batch);
  }

  private async write(from: number, batch: BaseEvent[]): Promise<void> {
    if (this.unstored) {
      this.unstored.events.push(...batch);
      return;
    }
    try {
      await this.store.appendEvents(this.threadId, this.runId, from, batch);
    } catch (error) {
      this.unstored = { from, events: [...batch] };
      return this.fail('store', error);
    }
    this.publish(from, batch);
  }

  private publish(from: number, batch: BaseEvent[]): void {
    this.publications = this.publications.then(async () => {
      if (this.publishFailed) return;
      try {
        const published = await atMost(
          this.stored(from, batch).then(() => true),
          PUBLISH_TIMEOUT_MS,
          false,
        );
        if (!published) throw new Error(PUBLISH_TIMED_OUT(PUBLISH_TIMEOUT_MS));
      } catch (error) {
        this.publishFailed = true;
        this.fail('publish', error);
      }
    });
  }

  private fail(failure: 'store' | 'publish', error: unknown): void {
    this.logger.error(EVENTS_NOT_WRITTEN(failure, this.runId, String(error)), (error as Error)?.stack);
    this.failed(failure, error);
  }
}
