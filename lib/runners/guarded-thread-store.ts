import { HttpException, Logger } from '@nestjs/common';
import type { BaseEvent } from '@ag-ui/core';
import { RunnerUnavailableException } from './runner-unavailable.exception.js';
import { ThreadStore, type BeginRunResult, type StoredRun, type ThreadPage, type ThreadQuery, type ThreadRecord } from './thread-store.js';
import { THREAD_STORE_CALL_FAILED, THREAD_STORE_NOT_ANSWERING } from './runners.messages.js';

/**
 * The runner's store as requests reach it, runs and thread routes alike: while the store has not
 * come up, a call answers 503 at once, and a call the store fails answers 503 too, so the client
 * retries instead of seeing a 500. The runner's startup and its runs' own writes use the store
 * underneath, which report their failures their own way (a run ends with STORE_UNAVAILABLE).
 */
export class GuardedThreadStore extends ThreadStore {
  private readonly logger = new Logger(GuardedThreadStore.name);

  constructor(
    readonly inner: ThreadStore,
    /** Resolves once the store is up; throws a RunnerUnavailableException while it is not. */
    private readonly available: () => Promise<void>,
  ) {
    super();
  }

  get durable(): boolean {
    return this.inner.durable;
  }

  beginRun(run: { threadId: string; runId: string; agentId: string; ownerId?: string }): Promise<BeginRunResult> {
    return this.call(() => this.inner.beginRun(run));
  }

  appendEvents(threadId: string, runId: string, fromSeq: number, events: BaseEvent[]): Promise<void> {
    return this.call(() => this.inner.appendEvents(threadId, runId, fromSeq, events));
  }

  endRun(threadId: string, runId: string): Promise<void> {
    return this.call(() => this.inner.endRun(threadId, runId));
  }

  getThread(threadId: string): Promise<ThreadRecord | undefined> {
    return this.call(() => this.inner.getThread(threadId));
  }

  getRuns(threadId: string): Promise<StoredRun[]> {
    return this.call(() => this.inner.getRuns(threadId));
  }

  listThreads(query: ThreadQuery): Promise<ThreadPage> {
    return this.call(() => this.inner.listThreads(query));
  }

  updateThread(threadId: string, changes: { name?: string; archived?: boolean }): Promise<void> {
    return this.call(() => this.inner.updateThread(threadId, changes));
  }

  deleteThread(threadId: string): Promise<void> {
    return this.call(() => this.inner.deleteThread(threadId));
  }

  override renewLeases(runs: ReadonlyArray<{ threadId: string; runId: string }>): Promise<void> {
    return this.call(() => this.inner.renewLeases(runs));
  }

  override expiredRuns(threadId?: string): Promise<Array<{ threadId: string; runId: string }>> {
    return this.call(() => this.inner.expiredRuns(threadId));
  }

  override applyRetention(): Promise<void> {
    return this.call(() => this.inner.applyRetention());
  }

  override open(): Promise<void> {
    return this.inner.open();
  }

  override close(): Promise<void> {
    return this.inner.close();
  }

  /** A store that does not answer is a 503 the client can retry, not a 500. */
  private async call<T>(work: () => Promise<T>): Promise<T> {
    await this.available();
    try {
      return await work();
    } catch (error) {
      if (error instanceof HttpException) throw error;
      this.logger.error(THREAD_STORE_CALL_FAILED(String(error)), (error as Error)?.stack);
      throw new RunnerUnavailableException(THREAD_STORE_NOT_ANSWERING, 2, error);
    }
  }
}
