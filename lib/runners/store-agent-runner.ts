import { Logger, ServiceUnavailableException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { BaseEvent } from '@ag-ui/core';
import { concat, from, type Observable } from 'rxjs';
import { ThreadBusyException } from '../errors/thread-busy.exception.js';
import { ThreadNotFoundException } from '../errors/thread-not-found.exception.js';
import { RunIdTakenException } from '../errors/run-id-taken.exception.js';
import { RunEventGuard } from '../protocol/run-event-guard.js';
import { AgentRun } from './agent-run.js';
import {
  AgentRunner,
  type IdentifiedEvent,
  type RunnerConnectRequest,
  type RunnerRunRequest,
  type RunnerStopRequest,
} from './agent-runner.js';
import { parseEventId } from '../protocol/event-id.js';
import { replayFinishedRuns, resumeAfter } from '../protocol/replay.js';
import { RunPersistence } from './run-persistence.js';
import { pendingInterrupts, resolveResume } from '../approvals/resume-resolver.js';
import { announcedInput, authoritativeHistory, collectMessageIds, messagesFromEvents } from '../protocol/thread-messages.js';
import type { StoredRun, ThreadStore } from './thread-store.js';

export interface StoreAgentRunnerOptions {
  /** How often leases are renewed and dead runs recovered, for durable stores. Default 10 s. */
  housekeepingMs?: number;
  /** How often retention is applied. Default 10 minutes. */
  retentionMs?: number;
  /** On shutdown, how long running runs may take to finish before they are ended. Default 10 s. */
  shutdownGraceMs?: number;
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
 * history on `connect` (resuming after a given event id), recovers runs that a crashed process
 * left half-written, and drains on shutdown. A distributed runner extends it to follow and stop
 * runs that live on other instances.
 */
export class StoreAgentRunner extends AgentRunner {
  protected readonly live = new Map<string, LiveRun>();
  private readonly ready: Promise<void>;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly shutdownGraceMs: number;
  private draining = false;

  constructor(
    readonly store: ThreadStore,
    options: StoreAgentRunnerOptions = {},
  ) {
    super();
    this.shutdownGraceMs = options.shutdownGraceMs ?? 10_000;
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
    if (this.draining) {
      throw new ServiceUnavailableException({
        statusCode: 503,
        error: 'Shutting down',
        message: 'This instance is shutting down; retry the run.',
      });
    }
    await this.ready;
    const { threadId, agentId } = request;
    await this.settling(threadId);
    let input = request.input;
    const begin = () => storeCall(() => this.store.beginRun({ threadId, runId: input.runId, agentId, ownerId: request.ownerId }));
    let begun = await begin();
    if (begun === 'busy' && !this.live.has(threadId) && (await this.recover(threadId)) > 0) begun = await begin();
    if (begun === 'duplicate-run' && input.resume?.length) {
      // CopilotKit's `useInterrupt` resumes with the paused run's own id; a run id names one run of
      // the thread, so the resumed run gets a fresh one (its RUN_STARTED says which).
      input = { ...input, runId: randomUUID() };
      begun = await begin();
    }
    if (begun === 'busy') throw new ThreadBusyException(threadId);
    if (begun === 'not-owner') throw new ThreadNotFoundException(threadId);
    if (begun === 'duplicate-run') throw new RunIdTakenException(threadId, input.runId);
    try {
      const previous = (await storeCall(() => this.store.getRuns(threadId))).filter((run) => run.status === 'finished');
      const history = previous.flatMap((run) => run.events);
      // Checked against the store, not the client: a forged or replayed resume is refused here.
      const approvals = resolveResume(pendingInterrupts(history), input.resume);
      const known = new Set<string>();
      collectMessageIds(history, known);
      const agentInput =
        request.history === 'authoritative'
          ? { ...input, messages: authoritativeHistory(messagesFromEvents(history), known, input.messages) }
          : input;
      let close!: () => void;
      const closed = new Promise<void>((resolve) => (close = resolve));
      const persistence = new RunPersistence(
        this.store,
        threadId,
        input.runId,
        (fromSeq, events) => this.eventsStored(threadId, input.runId, fromSeq, events),
        (failure) =>
          failure === 'store'
            ? run.abort('The thread store stopped answering, so the run was ended.', 'STORE_UNAVAILABLE')
            : run.abort('Other instances could not be told about the run, so it was ended.', 'EVENT_BUS_UNAVAILABLE'),
      );
      const run: AgentRun = new AgentRun({
        threadId,
        runId: input.runId,
        agentId,
        agent: request.agent,
        input: agentInput,
        announcedInput: announcedInput(agentInput, known),
        request: request.request,
        bindActions: request.bindActions,
        approvals,
        onEvent: (event, seq) => persistence.add(event, seq),
        onSettled: () =>
          persistence
            .flush()
            .then(() => this.store.endRun(threadId, input.runId))
            .catch((error: unknown) => logger.error(`Could not close run '${input.runId}': ${String(error)}`))
            .finally(() => {
              if (this.live.get(threadId)?.run === run) this.live.delete(threadId);
              close();
            }),
      });
      this.live.set(threadId, { run, closed });
      run.start();
      return run.stream();
    } catch (error) {
      await this.store.endRun(threadId, input.runId).catch(() => undefined);
      throw error;
    }
  }

  async connect(request: RunnerConnectRequest): Promise<Observable<IdentifiedEvent>> {
    await this.ready;
    const { threadId } = request;
    await this.settling(threadId);
    const position = parseEventId(request.lastEventId);
    const live = this.live.get(threadId)?.run;
    const runs = await storeCall(() => this.store.getRuns(threadId));
    // The run in flight: here, or on another instance when the runner can follow it there.
    const remote = live ? undefined : runs.find((run) => run.status === 'running');
    const following = live?.stream() ?? (remote && this.followRemote(threadId, remote));
    const current = live?.runId ?? (following ? remote?.runId : undefined);
    if (following && position && position.runId === current && !position.compacted) {
      return following.pipe(resumeAfter(position.index));
    }
    const finished = runs.filter((run) => run.status === 'finished' && run.runId !== current);
    const history = from(replayFinishedRuns(finished, position));
    return following ? concat(history, following) : history;
  }

  async stop(request: RunnerStopRequest): Promise<boolean> {
    const live = this.live.get(request.threadId)?.run;
    if (live) return (request.runId === undefined || live.runId === request.runId) && live.stop();
    return this.stopRemote(request.threadId, request.runId);
  }

  async isRunning(request: { threadId: string }): Promise<boolean> {
    const live = this.live.get(request.threadId)?.run;
    if (live) return live.isRunning;
    return (await this.store.getRuns(request.threadId)).some((run) => run.status === 'running');
  }

  /**
   * Stops taking runs, gives the running ones `shutdownGraceMs` to finish, then ends the rest with
   * a RUN_ERROR (code `SERVER_SHUTDOWN`), stores their events and releases their threads.
   */
  override async drain(): Promise<void> {
    this.draining = true;
    const running = () => [...this.live.values()];
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.shutdownGraceMs)));
    await Promise.race([Promise.all(running().map((entry) => entry.closed)), grace]);
    clearTimeout(timer);
    for (const { run } of running()) run.abort('The server is shutting down; the run was ended.', 'SERVER_SHUTDOWN');
    await Promise.all(running().map((entry) => entry.closed));
  }

  override async close(): Promise<void> {
    this.timers.splice(0).forEach((timer) => clearInterval(timer));
    await this.store.close();
  }

  /** After a batch of a run's events is stored: a distributed runner publishes it. */
  protected async eventsStored(_threadId: string, _runId: string, _fromSeq: number, _events: BaseEvent[]): Promise<void> {}

  /** All events of a run that lives on another instance, live, until its terminal event. */
  protected followRemote(_threadId: string, _run: StoredRun): Observable<IdentifiedEvent> | undefined {
    return undefined;
  }

  /** Asks the instance that runs the thread to stop it. */
  protected async stopRemote(_threadId: string, _runId: string | undefined): Promise<boolean> {
    return false;
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
      const fromSeq = stored?.events.length ?? 0;
      await this.store.appendEvents(thread, runId, fromSeq, closing);
      await this.store.endRun(thread, runId);
      await this.eventsStored(thread, runId, fromSeq, closing).catch(() => undefined);
      logger.warn(`Recovered run '${runId}' of thread '${thread}', interrupted by a stopped server.`);
    }
    return expired.length;
  }

  private async housekeeping(): Promise<void> {
    const running = [...this.live.values()]
      .filter(({ run }) => run.isRunning)
      .map(({ run }) => ({ threadId: run.threadId, runId: run.runId }));
    await this.store.renewLeases(running);
    await this.recover();
  }

  private every(ms: number, task: () => Promise<void>): void {
    const timer = setInterval(() => task().catch((error: unknown) => logger.error(`Thread housekeeping failed: ${String(error)}`)), ms);
    timer.unref();
    this.timers.push(timer);
  }
}

/** A store that does not answer before a run is a 503 the client can retry, not a 500. */
async function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    logger.error(`Thread store call failed: ${String(error)}`, (error as Error)?.stack);
    throw new ServiceUnavailableException({
      statusCode: 503,
      error: 'Thread store unavailable',
      message: 'The thread store is not answering; retry shortly.',
    });
  }
}
