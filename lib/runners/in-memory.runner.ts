import { Logger } from '@nestjs/common';
import type { BaseEvent } from '@ag-ui/core';
import { compactEvents } from '@ag-ui/client';
import { Observable } from 'rxjs';
import { CopilotKitConfigurationError } from '../errors/copilotkit-configuration.error.js';
import { ThreadBusyException } from '../errors/thread-busy.exception.js';
import { AgentRun } from './agent-run.js';
import {
  AgentRunner,
  type RunnerConnectRequest,
  type RunnerRunRequest,
  type RunnerStopRequest,
} from './agent-runner.js';
import { announcedInput, collectMessageIds } from './thread-messages.js';

export interface InMemoryAgentRunnerOptions {
  /** Threads kept; beyond it the least recently used idle thread is forgotten. Default 1000. */
  maxThreads?: number;
  /** Runs kept per thread; beyond it the oldest run is forgotten. Default 100. */
  maxRunsPerThread?: number;
}

interface StoredRun {
  runId: string;
  agentId: string;
  /** Compacted: each message's deltas merged into one event, state collapsed to one snapshot. */
  events: BaseEvent[];
  createdAt: number;
}

interface ThreadRecord {
  runs: StoredRun[];
  active?: AgentRun;
  /** Ids of every message the thread has already announced or produced. */
  knownMessageIds: Set<string>;
}

const logger = new Logger('CopilotKit');

/**
 * Threads in this process's memory: the default runner. Fast and dependency-free, but history is
 * lost on restart and not shared between instances (use the SQLite or Redis + PostgreSQL runner).
 * Memory is bounded by `maxThreads` and `maxRunsPerThread`, evicting the oldest first; a thread
 * with a live run is never evicted.
 */
export class InMemoryAgentRunner extends AgentRunner {
  private readonly maxThreads: number;
  private readonly maxRunsPerThread: number;
  /** Map order doubles as recency order: a used thread is moved to the end. */
  private readonly threads = new Map<string, ThreadRecord>();
  private evictionLogged = false;

  constructor(options: InMemoryAgentRunnerOptions = {}) {
    super();
    this.maxThreads = positiveInteger('maxThreads', options.maxThreads ?? 1000);
    this.maxRunsPerThread = positiveInteger('maxRunsPerThread', options.maxRunsPerThread ?? 100);
  }

  async run(request: RunnerRunRequest): Promise<Observable<BaseEvent>> {
    const { threadId, agentId, agent, input, request: httpRequest, bindActions } = request;
    const thread = this.threads.get(threadId) ?? { runs: [], knownMessageIds: new Set<string>() };
    if (thread.active) throw new ThreadBusyException(threadId);
    this.touch(threadId, thread);

    const run = new AgentRun({
      threadId,
      runId: input.runId,
      agentId,
      agent,
      input,
      announcedInput: announcedInput(input, thread.knownMessageIds),
      request: httpRequest,
      bindActions,
      onSettled: (settled) => this.store(thread, settled),
    });
    thread.active = run;
    this.evict();
    run.start();
    return run.stream();
  }

  connect(request: RunnerConnectRequest): Observable<BaseEvent> {
    return new Observable<BaseEvent>((subscriber) => {
      const thread = this.threads.get(request.threadId);
      for (const run of thread?.runs ?? []) {
        for (const event of run.events) {
          if (subscriber.closed) return undefined;
          subscriber.next(event);
        }
      }
      if (thread?.active) return thread.active.stream().subscribe(subscriber);
      subscriber.complete();
      return undefined;
    });
  }

  async stop(request: RunnerStopRequest): Promise<boolean> {
    const active = this.threads.get(request.threadId)?.active;
    if (!active || (request.runId !== undefined && active.runId !== request.runId)) return false;
    return active.stop();
  }

  async isRunning(request: { threadId: string }): Promise<boolean> {
    return this.threads.get(request.threadId)?.active !== undefined;
  }

  private store(thread: ThreadRecord, run: AgentRun): void {
    if (thread.active === run) thread.active = undefined;
    collectMessageIds(run.events, thread.knownMessageIds);
    thread.runs.push({ runId: run.runId, agentId: run.agentId, events: compactEvents(run.events), createdAt: Date.now() });
    if (thread.runs.length > this.maxRunsPerThread) thread.runs.splice(0, thread.runs.length - this.maxRunsPerThread);
  }

  private touch(threadId: string, thread: ThreadRecord): void {
    this.threads.delete(threadId);
    this.threads.set(threadId, thread);
  }

  private evict(): void {
    if (this.threads.size <= this.maxThreads) return;
    for (const [threadId, thread] of this.threads) {
      if (this.threads.size <= this.maxThreads) break;
      if (!thread.active) this.threads.delete(threadId);
    }
    if (!this.evictionLogged) {
      this.evictionLogged = true;
      logger.warn(
        `InMemoryAgentRunner reached maxThreads (${this.maxThreads}) and forgets the least recently used threads. ` +
          'Raise the limit or use a durable runner to keep them.',
      );
    }
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new CopilotKitConfigurationError(`InMemoryAgentRunner option '${name}' must be a positive integer, got ${String(value)}.`);
  }
  return value;
}
