import type { BaseEvent } from '@ag-ui/core';
import type { Observable } from 'rxjs';
import type { IdentifiedEvent } from '../protocol/identified-event.js';
import type { BeginRunResult, StoredRun, ThreadPage, ThreadQuery, ThreadRecord } from './thread-store.js';

export type { IdentifiedEvent };

export interface RunnerBeginRequest {
  threadId: string;
  runId: string;
  agentId: string;
  /** Who runs it: recorded as the owner of a thread this creates. */
  ownerId?: string;
}

/** What a runner hears of a run it executes. */
export interface RunHooks {
  /** Each event as the run produces it, already checked; `seq` is its index in the run. */
  onEvent?(event: BaseEvent, seq: number): void;
  /**
   * Once, after the terminal event. Every reader's stream completes only when the promise it
   * returns settles, so a client whose stream ended finds the run stored and the thread free.
   */
  onSettled?(events: readonly BaseEvent[]): Promise<void> | void;
}

/**
 * A run the runtime prepared for a thread the runner locked: its input already checked against
 * the thread's stored history (earlier turns, approvals, ownership), its events already passed
 * through the protocol guard, its backend actions bound. A runner starts it, keeps its events and
 * fans them out; it cannot change what the agent gets.
 */
export interface PreparedRun {
  readonly threadId: string;
  readonly runId: string;
  readonly agentId: string;
  /** Every event so far, in order. */
  readonly events: readonly BaseEvent[];
  /** False once the terminal event is out. */
  readonly isRunning: boolean;
  /** Starts the agent, once. */
  start(hooks?: RunHooks): void;
  /** The run's events from sequence `fromSeq` on, then live ones, each with its id; completes with the run. */
  stream(fromSeq?: number): Observable<IdentifiedEvent>;
  /** Aborts the agent and ends the run with RUN_FINISHED; false if it already ended. */
  stop(): boolean;
  /** Aborts the agent and ends the run with a RUN_ERROR (`code`); false if it already ended. */
  abort(message: string, code: string): boolean;
}

export interface RunnerConnectRequest {
  threadId: string;
  /** The last event id the client saw (`Last-Event-ID`): only what follows it is sent. */
  lastEventId?: string;
}

export interface RunnerStopRequest {
  threadId: string;
  /** Stop only this run; a stale stop never cancels the next run on the thread. */
  runId?: string;
}

/**
 * Keeps threads: locks a thread for a run, executes the run the runtime prepared, stores its
 * events, replays them, stops runs and keeps their leases. The in-memory, SQLite and Redis +
 * PostgreSQL runners implement this contract, and so can yours.
 *
 * What a run may do is decided in the runtime, not here: who may use a thread, which history the
 * agent sees, which approvals a resume answers, which run id a resumed run gets. A runner only
 * stores and relays, so one written from scratch gets those checks without writing them.
 */
export abstract class AgentRunner {
  /** Whether threads survive a restart (a durable runner makes history server-authoritative by default). */
  abstract readonly durable: boolean;

  /**
   * Locks the thread for a run, atomically: creates the thread if new (owned by `ownerId`), and
   * answers `busy` while another run holds it, `not-owner` when it belongs to someone else and
   * `duplicate-run` when the run id was used on it before. Once `started`, the thread stays locked
   * until the run executed on it ends, or until `abandon`.
   */
  abstract begin(request: RunnerBeginRequest): Promise<BeginRunResult>;

  /** The thread's finished runs, oldest first, each with every event it produced. */
  abstract history(threadId: string): Promise<StoredRun[]>;

  /**
   * The thread and its history together, as `getThread` and `history` give them: what every run
   * reads once its thread is locked. Override it where one read can serve both.
   */
  async threadWithHistory(threadId: string): Promise<{ thread: ThreadRecord | undefined; runs: StoredRun[] }> {
    const [thread, runs] = await Promise.all([this.getThread(threadId), this.history(threadId)]);
    return { thread, runs };
  }

  /**
   * Starts a run on the thread `begin` locked for it, and returns its events from the first one.
   * The run goes on whether or not anyone subscribes; its events are stored as they come and the
   * thread is released once it ends. Rejects only before the run starts.
   */
  abstract execute(run: PreparedRun): Promise<Observable<IdentifiedEvent>>;

  /** Releases a thread `begin` locked for a run that will not execute (its input was refused). */
  abstract abandon(threadId: string, runId: string): Promise<void>;

  /**
   * The thread's history (every stored run, compacted) followed by the live run if one is in
   * flight, completing when that run does; after `lastEventId`, only what the client missed.
   * An unknown thread is an empty stream, not an error.
   */
  abstract connect(request: RunnerConnectRequest): Promise<Observable<IdentifiedEvent>>;

  /** Aborts the thread's live run, closing every open stream of it properly. False if none ran. */
  abstract stop(request: RunnerStopRequest): Promise<boolean>;

  abstract isRunning(request: { threadId: string }): Promise<boolean>;

  abstract getThread(threadId: string): Promise<ThreadRecord | undefined>;

  /** The owner's threads, most recently updated first. */
  abstract listThreads(query: ThreadQuery): Promise<ThreadPage>;

  abstract updateThread(threadId: string, changes: { name?: string; archived?: boolean }): Promise<void>;

  abstract deleteThread(threadId: string): Promise<void>;

  /**
   * When the application starts (the module calls it from `onModuleInit`): opens connections and
   * files, migrates, recovers interrupted runs, starts timers and subscriptions. Nothing of that
   * happens in a constructor, which runs when the app module is imported. A dependency that is down
   * must not make it reject (the runner answers 503 and keeps trying); a misconfiguration should.
   * A runner used without Nest starts on its first call.
   */
  start(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Before the server closes: stop taking runs and let running ones finish or end them properly,
   * so their streams close and their threads are released.
   */
  drain(): Promise<void> {
    return Promise.resolve();
  }

  /** Releases timers and connections when the application shuts down. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
