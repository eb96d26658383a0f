import type { BaseEvent, RunAgentInput } from '@ag-ui/core';
import type { Observable } from 'rxjs';
import type { AgUiAgent } from '../interfaces/ag-ui-agent.interface.js';
import type { CopilotRunActions } from '../interfaces/copilot-run-context.interface.js';
import type { IdentifiedEvent } from '../protocol/identified-event.js';
import type { ThreadStore } from './thread-store.js';

export type { IdentifiedEvent };

/** What a run is, once it exists: what its backend actions are bound to. */
export interface RunScope {
  agentId: string;
  threadId: string;
  runId: string;
  signal: AbortSignal;
  emit(event: BaseEvent): void;
  /** Tool calls the thread's owner approved on this run's resume: only these may run an approval action. */
  approvedToolCalls: Set<string>;
}

export interface RunnerRunRequest {
  threadId: string;
  agentId: string;
  /** This request's own agent instance (already cloned). */
  agent: AgUiAgent;
  input: RunAgentInput;
  /** Who runs it: written as the owner of a new thread, checked against an existing one. */
  ownerId?: string;
  /** `authoritative`: earlier turns come from the store, the client only adds new messages. */
  history?: 'client' | 'authoritative';
  /** The HTTP request that started the run, handed to the agent in its context. */
  request?: unknown;
  /** Builds the backend actions the agent may call, bound to the run. */
  bindActions?: (scope: RunScope) => CopilotRunActions;
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
 * Keeps threads: runs agents, locks a thread while it runs, stores every run's events, and replays
 * them. The in-memory, SQLite and Redis + PostgreSQL runners all implement this contract, so the
 * HTTP layer never depends on where threads live.
 */
export abstract class AgentRunner {
  /** Threads, owners and stored events: what the thread routes read and change. */
  abstract readonly store: ThreadStore;

  /** Whether threads survive a restart. */
  abstract readonly durable: boolean;

  /**
   * Locks the thread and starts the agent at once (not on subscription: a client that goes away
   * does not stop the run). Rejects with `ThreadBusyException` when the thread already runs and
   * `ThreadNotFoundException` when it belongs to someone else, so the caller can answer before any
   * stream opens. Each subscription receives the run from its first event; it never errors.
   */
  abstract run(request: RunnerRunRequest): Promise<Observable<IdentifiedEvent>>;

  /**
   * The thread's history (every stored run, compacted) followed by the live run if one is in
   * flight, completing when that run does; after `lastEventId`, only what the client missed.
   * An unknown thread is an empty stream, not an error.
   */
  abstract connect(request: RunnerConnectRequest): Promise<Observable<IdentifiedEvent>>;

  /** Aborts the thread's live run, closing every open stream of it properly. False if none ran. */
  abstract stop(request: RunnerStopRequest): Promise<boolean>;

  abstract isRunning(request: { threadId: string }): Promise<boolean>;

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
