import { Logger } from '@nestjs/common';
import type { BaseEvent } from '@ag-ui/core';
import { concat, from, type Observable } from 'rxjs';
import { ThreadBusyException } from '../errors/thread-busy.exception.js';
import { ThreadNotFoundException } from '../errors/thread-not-found.exception.js';
import { RunEventGuard } from '../protocol/run-event-guard.js';
import { AgentRun } from './agent-run.js';
import {
  AgentRunner,
  type IdentifiedEvent,
  type RunnerConnectRequest,
  type RunnerRunRequest,
  type RunnerStopRequest,
} from './agent-runner.js';
import { parseEventId } from './event-id.js';
import { replayFinishedRuns, resumePrelude } from './replay.js';
import { RunPersistence } from './run-persistence.js';
import { announcedInput, authoritativeHistory, collectMessageIds, messagesFromEvents } from './thread-messages.js';
import type { ThreadStore } from './thread-store.js';

export interface StoreAgentRunnerOptions {
  /** How often leases are renewed and dead runs recovered, for durable stores. Default 10 s. */
  housekeepingMs?: number;
  /** How often retention is applied. Default 10 minutes. */
  retentionMs?: number;
}

interface LiveRun {
  run: AgentRun;
  /** Resolves once the run's events are stored and the thread is released. */
  closed: Promise<void>;
}

const logger = new Logger('CopilotKit');

/**
 * Runs agents in this process over a ThreadStore: the store keeps threads, owners, events and the
 * per-thread lock; this class keeps the live runs, persists their events as they happen, replays
 * history on `connect` (resuming after a given event id), and recovers runs that a crashed
 * process left half-written.
 */
export class StoreAgentRunner extends AgentRunner {
  private readonly live = new Map<string, LiveRun>();
  private readonly ready: Promise<void>;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    readonly store: ThreadStore,
    options: StoreAgentRunnerOptions = {},
  ) {
    super();
    this.ready = this.recover().then(() => this.store.applyRetention());
    this.ready.catch((error: unknown) => logger.error(`Thread recovery failed: ${String(error)}`));
    if (store.durable) {
      this.every(options.housekeepingMs ?? 10_000, () => this.housekeeping());
      this.every(options.retentionMs ?? 600_000, () => this.store.applyRetention());
    }
  }

  get durable(): boolean {
    return this.store.durable;
  }

  async run(request: RunnerRunRequest): Promise<Observable<IdentifiedEvent>> {
    await this.ready;
    const { threadId, agentId, input } = request;
    await this.settling(threadId);
    let begun = await this.store.beginRun({ threadId, runId: input.runId, agentId, ownerId: request.ownerId });
    if (begun === 'busy' && !this.live.has(threadId) && (await this.recover(threadId)) > 0) {
      begun = await this.store.beginRun({ threadId, runId: input.runId, agentId, ownerId: request.ownerId });
    }
    if (begun === 'busy') throw new ThreadBusyException(threadId);
    if (begun === 'not-owner') throw new ThreadNotFoundException(threadId);
    try {
      const previous = (await this.store.getRuns(threadId)).filter((run) => run.status === 'finished');
      const history = previous.flatMap((run) => run.events);
      const known = new Set<string>();
      collectMessageIds(history, known);
      const agentInput =
        request.history === 'authoritative'
          ? { ...input, messages: authoritativeHistory(messagesFromEvents(history), known, input.messages) }
          : input;
      const persistence = new RunPersistence(this.store, threadId, input.runId);
      let close!: () => void;
      const closed = new Promise<void>((resolve) => (close = resolve));
      const run = new AgentRun({
        threadId,
        runId: input.runId,
        agentId,
        agent: request.agent,
        input: agentInput,
        announcedInput: announcedInput(agentInput, known),
        request: request.request,
        bindActions: request.bindActions,
        onEvent: (event, seq) => persistence.add(event, seq),
        onSettled: () => {
          void persistence
            .flush()
            .then(() => this.store.endRun(threadId, input.runId))
            .catch((error: unknown) => logger.error(`Could not close run '${input.runId}': ${String(error)}`))
            .finally(() => {
              if (this.live.get(threadId)?.run === run) this.live.delete(threadId);
              close();
            });
        },
      });
      this.live.set(threadId, { run, closed });
      run.start();
      return run.stream();
    } catch (error) {
      await this.store.endRun(threadId, input.runId);
      throw error;
    }
  }

  async connect(request: RunnerConnectRequest): Promise<Observable<IdentifiedEvent>> {
    await this.ready;
    const { threadId } = request;
    await this.settling(threadId);
    const position = parseEventId(request.lastEventId);
    const live = this.live.get(threadId)?.run;
    if (live && position && position.runId === live.runId && !position.compacted) {
      const seen = live.events.slice(0, position.index + 1);
      const prelude = live.isRunning || live.events.length > seen.length ? resumePrelude(seen).map((event) => ({ event })) : [];
      return concat(from(prelude), live.stream(position.index + 1));
    }
    // A run still marked running without a live run here belongs to a process that is gone (it
    // will be recovered) or to another one: neither can be followed from this instance.
    const finished = (await this.store.getRuns(threadId)).filter((run) => run.status === 'finished' && run.runId !== live?.runId);
    const history = from(replayFinishedRuns(finished, position));
    return live ? concat(history, live.stream()) : history;
  }

  async stop(request: RunnerStopRequest): Promise<boolean> {
    const live = this.live.get(request.threadId)?.run;
    if (!live || (request.runId !== undefined && live.runId !== request.runId)) return false;
    return live.stop();
  }

  async isRunning(request: { threadId: string }): Promise<boolean> {
    return this.live.get(request.threadId)?.run.isRunning ?? false;
  }

  override async close(): Promise<void> {
    this.timers.splice(0).forEach((timer) => clearInterval(timer));
    await this.store.close();
  }

  /** A run that just ended is still being written; what follows must see it stored. */
  private async settling(threadId: string): Promise<void> {
    const entry = this.live.get(threadId);
    if (entry && !entry.run.isRunning) await entry.closed;
  }

  /**
   * Closes runs left running by a process that died: appends what closes their open messages and
   * tool calls and a RUN_ERROR, so the thread replays cleanly and can be continued.
   */
  private async recover(threadId?: string): Promise<number> {
    const expired = await this.store.expiredRuns(threadId);
    for (const { threadId: thread, runId } of expired) {
      const stored = (await this.store.getRuns(thread)).find((run) => run.runId === runId);
      const closing: BaseEvent[] = [];
      let replaying = true;
      const guard = new RunEventGuard({ threadId: thread, runId, emit: (event) => !replaying && closing.push(event) });
      for (const event of stored?.events ?? []) guard.accept(event);
      replaying = false;
      guard.end('failed', 'The server stopped before this run finished.', 'INTERRUPTED');
      await this.store.appendEvents(thread, runId, stored?.events.length ?? 0, closing);
      await this.store.endRun(thread, runId);
      logger.warn(`Recovered run '${runId}' of thread '${thread}', interrupted by a stopped server.`);
    }
    return expired.length;
  }

  private async housekeeping(): Promise<void> {
    const running = [...this.live.values()].filter(({ run }) => run.isRunning).map(({ run }) => ({ threadId: run.threadId, runId: run.runId }));
    await this.store.renewLeases(running);
    await this.recover();
  }

  private every(ms: number, task: () => Promise<void>): void {
    const timer = setInterval(() => task().catch((error: unknown) => logger.error(`Thread housekeeping failed: ${String(error)}`)), ms);
    timer.unref();
    this.timers.push(timer);
  }
}
