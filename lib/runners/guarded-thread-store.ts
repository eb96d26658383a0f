import { HttpException, Logger } from '@nestjs/common';
import type { BaseEvent } from '@ag-ui/core';
import { UnstorableInputException } from '../errors/unstorable-input.exception.js';
import { RunnerUnavailableException } from './runner-unavailable.exception.js';
import { isUnstorableInput } from './store-error.js';
import {
  ThreadStore,
  type BeginRunResult,
  type BegunRun,
  type StoredRun,
  type ThreadPage,
  type ThreadQuery,
  type ThreadRecord,
} from './thread-store.js';
import { THREAD_STORE_CALL_FAILED, THREAD_STORE_NOT_ANSWERING, THREAD_STORE_REFUSED_INPUT } from './runners.messages.js';

/**
 * The runner's store as requests reach it, runs and thread routes alike: while the store has not
 * come up, a call answers 503 at once, and a call the store fails answers 503 too, so the client
 * retries instead of seeing a 500, except when the store refused the call's input (see
 * `isUnstorableInput`), which no retry can fix: that is a 400. The runner's startup and its runs' own writes use the store
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

  override beginRunAndRead(run: { threadId: string; runId: string; agentId: string; ownerId?: string }): Promise<BegunRun> {
    return this.call(() => this.inner.beginRunAndRead(run));
  }

  appendEvents(threadId: string, runId: string, fromSeq: number, events: BaseEvent[]): Promise<void> {
    return this.call(() => this.inner.appendEvents(threadId, runId, fromSeq, events));
  }

  endRun(threadId: string, runId: string): Promise<void> {
    return this.call(() => this.inner.endRun(threadId, runId));
  }

  override finishRun(threadId: string, runId: string, fromSeq: number, events: BaseEvent[]): Promise<void> {
    return this.call(() => this.inner.finishRun(threadId, runId, fromSeq, events));
  }

  override getThreadWithRuns(threadId: string): Promise<{ thread: ThreadRecord | undefined; runs: StoredRun[] }> {
    return this.call(() => this.inner.getThreadWithRuns(threadId));
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

  /** A store that does not answer is a 503 the client can retry, not a 500; input it cannot hold, a 400. */
  private async call<T>(work: () => Promise<T>): Promise<T> {
    await this.available();
    try {
      return await work();
    } catch (error) {
      if (error instanceof HttpException) throw error;
      if (isUnstorableInput(error)) {
        // A client's mistake, not an incident: warn, without the stack.
        this.logger.warn(THREAD_STORE_REFUSED_INPUT(String(error)));
        throw new UnstorableInputException(error);
      }
      this.logger.error(THREAD_STORE_CALL_FAILED(String(error)), (error as Error)?.stack);
      throw new RunnerUnavailableException(THREAD_STORE_NOT_ANSWERING, 2, error);
    }
  }
}
