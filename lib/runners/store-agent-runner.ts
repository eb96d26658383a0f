import { Logger, ServiceUnavailableException } from '@nestjs/common';
import type { BaseEvent } from '@ag-ui/core';
import { concat, from, type Observable } from 'rxjs';
import {
  AgentRunner,
  type IdentifiedEvent,
  type PreparedRun,
  type RunnerBeginRequest,
  type RunnerConnectRequest,
  type RunnerStopRequest,
} from './agent-runner.js';
import { parseEventId } from '../protocol/event-id.js';
import { replayFinishedRuns, resumeAfter } from '../protocol/replay.js';
import type { BeginRunResult, StoredRun, ThreadPage, ThreadQuery, ThreadRecord, ThreadStore } from './thread-store.js';
import { GuardedThreadStore } from './guarded-thread-store.js';
import { RunnerUnavailableException } from './runner-unavailable.exception.js';
import { positiveInteger } from './runner-options.util.js';
import { StartupRetry } from './startup-retry.js';
import { shutdownStep } from './time-bound.js';
import { closeInterruptedRuns } from './interrupted-runs.js';
import { startLiveRun, type LiveRun } from './live-run.js';
import {
  CLOSING_STORE,
  HOUSEKEEPING_FAILED,
  RUN_ENDED_BY_SHUTDOWN,
  SHUTTING_DOWN,
  STORING_LAST_EVENTS,
  THREAD_STORE,
  THREAD_STORE_UNREACHABLE,
  WAITING_FOR_STORE,
} from './runners.messages.js';

export interface StoreAgentRunnerOptions {
  /** How often leases are renewed and dead runs recovered, for durable stores. Default 10 s. */
  housekeepingMs?: number;
  /** How often retention is applied. Default 10 minutes. */
  retentionMs?: number;
  /** On shutdown, how long running runs may take to finish before they are ended. Default 10 s. */
  shutdownGraceMs?: number;
  /**
   * How long each later shutdown step (storing what ended runs wrote last, closing the store or
   * Redis) may take before it is abandoned and logged, so a dependency that hangs cannot hold
   * `app.close()`. Default 5 s.
   */
  closeTimeoutMs?: number;
  /** While the store cannot be reached at start: the first wait between attempts and the longest. Default 250 ms, 10 s. */
  retry?: { firstDelayMs?: number; maxDelayMs?: number };
}

/** How long `start()` waits for the store before it lets the app boot anyway (and keeps trying). */
const START_WAIT_MS = 5000;
/** How long a request waits for a connection attempt in flight before it answers 503. */
const REQUEST_WAIT_MS = 2000;

/**
 * Runs agents in this process over a ThreadStore: the store keeps threads, owners, events and the
 * per-thread lock; this class keeps the live runs, persists their events as they happen, replays
 * history on `connect` (resuming after a given event id), recovers runs that a crashed process
 * left half-written, and drains on shutdown. A distributed runner extends it to follow and stop
 * runs that live on other instances.
 *
 * The store is opened in `start()` (from the module's `onModuleInit`), not in the constructor; while
 * it cannot be opened, requests answer 503 with `Retry-After` and opening is retried with backoff.
 */
export class StoreAgentRunner extends AgentRunner {
  protected readonly live = new Map<string, LiveRun>();
  /** The store as requests use it: 503 while it is down (see GuardedThreadStore). */
  protected readonly store: ThreadStore;
  /** The store itself, for the runner's startup and its runs' own writes. */
  protected readonly backing: ThreadStore;
  protected readonly logger = new Logger(this.constructor.name);
  protected readonly closeTimeoutMs: number;
  private readonly storeStartup: StartupRetry;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly shutdownGraceMs: number;
  private readonly housekeepingMs: number;
  private readonly retentionMs: number;
  private starting: Promise<void> | undefined;
  private draining = false;
  private closed = false;
  /**
   * What each started run read as it took its thread (see `beginRunAndRead`), kept until the
   * runtime asks for it in `threadWithHistory`, right after `begin`: one round trip instead of two.
   */
  private readonly readAtBegin = new Map<string, { runId: string; thread: ThreadRecord | undefined; runs: StoredRun[] }>();

  constructor(store: ThreadStore, options: StoreAgentRunnerOptions = {}) {
    super();
    this.backing = store;
    this.shutdownGraceMs = options.shutdownGraceMs ?? 10_000;
    this.closeTimeoutMs = positiveInteger('closeTimeoutMs', options.closeTimeoutMs ?? 5000);
    this.housekeepingMs = options.housekeepingMs ?? 10_000;
    this.retentionMs = options.retentionMs ?? 600_000;
    this.storeStartup = new StartupRetry(() => this.openStore(), { what: THREAD_STORE, logger: this.logger, ...options.retry });
    this.store = new GuardedThreadStore(store, () => this.storeAvailable());
  }

  /** Opens the store (retried in the background while it fails), then starts housekeeping; idempotent. */
  override start(): Promise<void> {
    return (this.starting ??= this.startup());
  }

  get durable(): boolean {
    return this.store.durable;
  }

  async begin(request: RunnerBeginRequest): Promise<BeginRunResult> {
    if (this.draining) {
      throw new ServiceUnavailableException({ statusCode: 503, error: 'Shutting down', message: SHUTTING_DOWN });
    }
    await this.assertRunnable();
    await this.settling(request.threadId);
    let begun = await this.store.beginRunAndRead(request);
    // A run left running by a process that died holds the thread until it is recovered: do it now.
    if (begun.result === 'busy' && !this.live.has(request.threadId) && (await this.recover(this.store, request.threadId)) > 0) {
      begun = await this.store.beginRunAndRead(request);
    }
    if (begun.result === 'started') {
      this.readAtBegin.set(request.threadId, { runId: request.runId, thread: begun.thread, runs: begun.finishedRuns });
    }
    return begun.result;
  }

  async history(threadId: string): Promise<StoredRun[]> {
    return (await this.store.getRuns(threadId)).filter((run) => run.status === 'finished');
  }

  override async threadWithHistory(threadId: string): Promise<{ thread: ThreadRecord | undefined; runs: StoredRun[] }> {
    const read = this.readAtBegin.get(threadId);
    if (read) {
      this.readAtBegin.delete(threadId);
      return { thread: read.thread, runs: read.runs };
    }
    const { thread, runs } = await this.store.getThreadWithRuns(threadId);
    return { thread, runs: runs.filter((run) => run.status === 'finished') };
  }

  async execute(run: PreparedRun): Promise<Observable<IdentifiedEvent>> {
    const { threadId, runId } = run;
    this.readAtBegin.delete(threadId);
    const entry = startLiveRun(run, {
      backing: this.backing,
      eventsStored: (fromSeq, events) => this.eventsStored(threadId, runId, fromSeq, events),
      released: (settled) => {
        if (this.live.get(threadId)?.run === settled) this.live.delete(threadId);
      },
      logger: this.logger,
    });
    this.live.set(threadId, entry);
    return run.stream();
  }

  async abandon(threadId: string, runId: string): Promise<void> {
    if (this.readAtBegin.get(threadId)?.runId === runId) this.readAtBegin.delete(threadId);
    await this.backing.endRun(threadId, runId);
  }

  getThread(threadId: string): Promise<ThreadRecord | undefined> {
    return this.store.getThread(threadId);
  }

  listThreads(query: ThreadQuery): Promise<ThreadPage> {
    return this.store.listThreads(query);
  }

  updateThread(threadId: string, changes: { name?: string; archived?: boolean }): Promise<void> {
    return this.store.updateThread(threadId, changes);
  }

  deleteThread(threadId: string): Promise<void> {
    return this.store.deleteThread(threadId);
  }

  async connect(request: RunnerConnectRequest): Promise<Observable<IdentifiedEvent>> {
    const { threadId } = request;
    await this.settling(threadId);
    const position = parseEventId(request.lastEventId);
    const live = this.live.get(threadId)?.run;
    const runs = await this.store.getRuns(threadId);
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
    for (const { run } of running()) run.abort(RUN_ENDED_BY_SHUTDOWN, 'SERVER_SHUTDOWN');
    const ended = running();
    if (ended.length === 0) return;
    const stored = Promise.all(ended.map((entry) => entry.closed));
    await shutdownStep(this.logger, STORING_LAST_EVENTS(ended.length), stored, this.closeTimeoutMs);
    for (const entry of ended) entry.abandon();
  }

  /** Stops the timers and the store's startup, then closes the store, each step bounded by `closeTimeoutMs`. */
  override async close(): Promise<void> {
    this.closed = true;
    this.timers.splice(0).forEach((timer) => clearInterval(timer));
    await shutdownStep(this.logger, WAITING_FOR_STORE, this.storeStartup.stop(), this.closeTimeoutMs);
    await shutdownStep(this.logger, CLOSING_STORE, this.backing.close(), this.closeTimeoutMs);
  }

  /** Starts the runner if nobody did (a runner used without Nest), without calling `start()` again once it ran. */
  protected started(): Promise<void> {
    return this.starting ?? this.start();
  }

  /** What `start()` brings up besides the store (a distributed runner's Redis). */
  protected async startServices(): Promise<void> {}

  /** Before a run: throws a RunnerUnavailableException when something besides the store it needs is down. */
  protected async assertRunnable(): Promise<void> {}

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

  private async startup(): Promise<void> {
    if (this.closed) return;
    if (this.backing.durable) {
      this.every(this.housekeepingMs, () => this.housekeeping());
      this.every(this.retentionMs, () => (this.storeStartup.isUp ? this.backing.applyRetention() : Promise.resolve()));
    }
    await Promise.all([this.storeStartup.start(START_WAIT_MS), this.startServices()]);
  }

  /** One attempt at bringing the store up: open and migrate it, then close what crashed runs left open. */
  private async openStore(): Promise<void> {
    await this.backing.open();
    await this.recover(this.backing);
    await this.backing.applyRetention();
  }

  /** For the guarded store: starts the runner if nobody did (use without Nest), then waits for the store a little. */
  private async storeAvailable(): Promise<void> {
    await this.started();
    if (!(await this.storeStartup.whenUp(REQUEST_WAIT_MS))) {
      throw new RunnerUnavailableException(THREAD_STORE_UNREACHABLE, this.storeStartup.retryAfterSeconds);
    }
  }

  private recover(store: ThreadStore, threadId?: string): Promise<number> {
    return closeInterruptedRuns(store, threadId, (...batch) => this.eventsStored(...batch), this.logger);
  }

  private async housekeeping(): Promise<void> {
    if (!this.storeStartup.isUp) return;
    const running = [...this.live.values()]
      .filter(({ run }) => run.isRunning)
      .map(({ run }) => ({ threadId: run.threadId, runId: run.runId }));
    await this.backing.renewLeases(running);
    await this.recover(this.backing);
  }

  private every(ms: number, task: () => Promise<void>): void {
    const timer = setInterval(() => task().catch((error: unknown) => this.logger.error(HOUSEKEEPING_FAILED(String(error)))), ms);
    timer.unref();
    this.timers.push(timer);
  }
}
