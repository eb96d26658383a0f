import { HttpException, Logger } from '@nestjs/common';
import type { BaseEvent, RunAgentInput } from '@ag-ui/core';
import { context as otelContext, trace, type Span } from '@opentelemetry/api';
import { Observable, type Subscriber, type Unsubscribable } from 'rxjs';
import type { AgUiAgent } from '../interfaces/ag-ui-agent.interface.js';
import type { CopilotRunActions, CopilotRunContext } from '../interfaces/copilot-run-context.interface.js';
import { runWithMiddleware } from './agent-middleware.js';
import { RunEventGuard, type DroppedEventReason } from '../protocol/run-event-guard.js';
import type { IdentifiedEvent } from '../protocol/identified-event.js';
import type { PreparedRun, RunHooks } from '../runners/agent-runner.js';
import { rawEventId } from '../protocol/event-id.js';
import type { ApprovalResolution } from '../approvals/resume-resolver.js';
import { endRunSpan, runOutcome, tracer } from '../observability/telemetry.js';
import { NO_ACTIONS, type RunScope } from './run-scope.js';
import {
  ABORT_RUN_THREW,
  AGENT_RUN_FAILED,
  AGENT_TEARDOWN_THREW,
  EVENT_DROPPED,
  RUN_DURATION_EXCEEDED,
  RUN_ENDED,
  RUN_NOT_STORED,
  RUN_STARTED,
  RUN_TIMED_OUT,
} from './runtime.messages.js';

export interface AgentRunOptions {
  threadId: string;
  runId: string;
  agentId: string;
  agent: AgUiAgent;
  /** What the agent receives. */
  input: RunAgentInput;
  /** What RUN_STARTED carries: the input with only the messages the thread has not seen yet. */
  announcedInput: RunAgentInput;
  /** The HTTP request that started the run, for the agent's context. */
  request?: unknown;
  /** Builds the backend actions available to the agent in this run. */
  bindActions?: (scope: RunScope) => CopilotRunActions;
  /** The answers to the approvals the thread was paused on, checked against the store. */
  approvals?: readonly ApprovalResolution[];
  /** Milliseconds from start after which the run is aborted with RUN_ERROR `RUN_TIMEOUT`; unbounded when absent. */
  maxDurationMs?: number;
  /** What traces and logs call it: a suggestion is no run of the thread. Default `'run'`. */
  kind?: 'run' | 'suggestion';
}

/** One for all runs: a Logger each would be kept by every open stream. */
const RUN_LOGGER = new Logger('AgentRun');

/**
 * One run of an agent, as the runtime prepares it and a runner executes it. It subscribes to the
 * agent eagerly, passes every event through a RunEventGuard, buffers the result, and fans it out
 * to any number of readers (the HTTP stream that started it, `connect` streams), each replayed
 * from the first event. The runner hears of each event through the hooks it starts the run with.
 */
export class AgentRun implements PreparedRun {
  readonly threadId: string;
  readonly runId: string;
  readonly agentId: string;
  /** Every event of the run so far, in order, already guarded. */
  readonly events: BaseEvent[] = [];
  /** Resolves once the terminal event has been emitted and the run stored. */
  readonly settled: Promise<void>;

  private readonly guard: RunEventGuard;
  private readonly listeners = new Set<Subscriber<IdentifiedEvent>>();
  private agentSubscription: Unsubscribable | undefined;
  private isSettled = false;
  private resolveSettled!: () => void;
  /** Made on the first drop: most runs have none, and a waiting run costs every open stream. */
  private reportedDrops: Set<DroppedEventReason> | undefined;
  private readonly abortController = new AbortController();
  private span: Span | undefined;
  private readonly startedAt = Date.now();
  private stopped = false;
  private started = false;
  private hooks: RunHooks = {};
  private deadline: NodeJS.Timeout | undefined;
  private readonly logger = RUN_LOGGER;
  private readonly kind: 'run' | 'suggestion';

  constructor(private readonly options: AgentRunOptions) {
    this.threadId = options.threadId;
    this.runId = options.runId;
    this.agentId = options.agentId;
    this.kind = options.kind ?? 'run';
    this.settled = new Promise((resolve) => (this.resolveSettled = resolve));
    this.guard = new RunEventGuard({
      threadId: options.threadId,
      runId: options.runId,
      input: options.announcedInput,
      emit: (event) => this.push(event),
      onDrop: (reason, event) => this.reportDrop(reason, event),
    });
  }

  get isRunning(): boolean {
    return !this.isSettled;
  }

  start(hooks: RunHooks = {}): void {
    if (this.started) return;
    this.started = true;
    this.hooks = hooks;
    this.logger.debug(RUN_STARTED(this.kind, this.agentId, this.threadId, this.runId));
    this.armDeadline();
    this.span = tracer().startSpan(this.kind === 'suggestion' ? 'copilotkit.suggest' : 'copilotkit.run', {
      attributes: { 'copilotkit.agent_id': this.agentId, 'copilotkit.thread_id': this.threadId, 'copilotkit.run_id': this.runId },
    });
    try {
      // The agent runs inside the run's span, so model calls and actions become its children.
      const subscription = otelContext.with(trace.setSpan(otelContext.active(), this.span), () =>
        runWithMiddleware(this.options.agent, this.options.input, this.createContext()).subscribe({
          next: (event) => this.accept(event),
          error: (error: unknown) => this.fail(error),
          complete: () => this.guard.end('completed'),
        }),
      );
      // A synchronous agent may already have finished inside subscribe().
      if (this.isSettled) safeUnsubscribe(subscription, this.logger);
      else this.agentSubscription = subscription;
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * Aborts the run: the agent's `abortRun()` is called and its stream unsubscribed (its teardown
   * runs), then open messages and tool calls are closed and RUN_FINISHED ends every reader's stream.
   */
  stop(): boolean {
    if (!this.interrupt()) return false;
    this.stopped = true;
    this.guard.end('stopped');
    return true;
  }

  /**
   * Ends the run with a RUN_ERROR instead of a normal finish: for a server shutting down or a store
   * that stopped answering, where the client must not believe the run completed.
   */
  abort(message: string, code: string): boolean {
    if (!this.interrupt()) return false;
    this.guard.end('failed', message, code);
    return true;
  }

  // A hung agent would hold its thread (and a durable lease) forever. Armed before subscribe(), so
  // a synchronous run clears it in settle(); unref'd, so it never keeps the process up by itself.
  private armDeadline(): void {
    const ms = this.options.maxDurationMs;
    if (ms === undefined) return;
    this.deadline = setTimeout(() => {
      this.deadline = undefined;
      if (this.isSettled) return;
      this.logger.warn(RUN_DURATION_EXCEEDED(this.agentId, this.threadId, this.runId, ms));
      this.abort(RUN_TIMED_OUT, 'RUN_TIMEOUT');
    }, ms);
    this.deadline.unref();
  }

  /** Tells the agent to stop (signal, `abortRun()`, unsubscribe); false if the run already ended. */
  private interrupt(): boolean {
    if (this.isSettled) return false;
    this.abortController.abort();
    try {
      this.options.agent.abortRun?.();
    } catch (error) {
      this.logger.warn(ABORT_RUN_THREW(this.agentId, describe(error)));
    }
    this.detachAgent();
    return true;
  }

  /** The run's events from sequence `fromSeq` on, then live ones, each with its id; completes with the run. */
  stream(fromSeq = 0): Observable<IdentifiedEvent> {
    return new Observable<IdentifiedEvent>((subscriber) => {
      for (let i = fromSeq; i < this.events.length && !subscriber.closed; i++) {
        subscriber.next({ id: rawEventId(this.runId, i), event: this.events[i] });
      }
      if (this.isSettled) {
        void this.settled.then(() => subscriber.complete());
        return undefined;
      }
      this.listeners.add(subscriber);
      return () => this.listeners.delete(subscriber);
    });
  }

  /** What agents written for this runtime get besides the input; AG-UI agents ignore it. */
  private createContext(): CopilotRunContext {
    const approvals = this.options.approvals ?? [];
    const scope: RunScope = {
      agentId: this.agentId,
      threadId: this.threadId,
      runId: this.runId,
      signal: this.abortController.signal,
      // Events from actions join the run through the same guard as the agent's own.
      emit: (event) => this.accept(event),
      approvedToolCalls: new Set(approvals.filter((approval) => approval.approved).map((approval) => approval.toolCallId)),
    };
    return { ...scope, request: this.options.request, actions: this.options.bindActions?.(scope) ?? NO_ACTIONS, approvals };
  }

  private accept(event: unknown): void {
    try {
      this.guard.accept(event);
    } catch (error) {
      this.fail(error);
    }
  }

  private push(event: BaseEvent): void {
    const seq = this.events.push(event) - 1;
    this.hooks.onEvent?.(event, seq);
    if (this.listeners.size > 0) {
      const identified = { id: rawEventId(this.runId, seq), event };
      for (const listener of this.listeners) listener.next(identified);
    }
    // The guard marks the run ended just before it emits the terminal event, so this is it.
    if (this.guard.isEnded) this.settle();
  }

  private settle(): void {
    if (this.isSettled) return;
    this.isSettled = true;
    clearTimeout(this.deadline);
    this.deadline = undefined;
    this.detachAgent();
    const terminal = this.events[this.events.length - 1];
    if (this.span) endRunSpan(this.span, terminal, this.stopped);
    // Ids and outcome only: message contents and keys never reach the log at this level.
    const { outcome, code } = runOutcome(terminal, this.stopped);
    this.logger.log(RUN_ENDED(this.kind, this.agentId, this.threadId, this.runId, outcome, code, Date.now() - this.startedAt));
    let stored: Promise<void>;
    try {
      stored = Promise.resolve(this.hooks.onSettled?.(this.events));
    } catch (error) {
      stored = Promise.reject(error);
    }
    void stored
      .catch((error: unknown) => this.logger.error(RUN_NOT_STORED(this.runId, describe(error))))
      .finally(() => {
        for (const listener of this.listeners) listener.complete();
        this.listeners.clear();
        this.resolveSettled();
      });
  }

  private fail(error: unknown): void {
    if (this.isSettled) return;
    this.logger.error(
      AGENT_RUN_FAILED(this.agentId, this.runId, this.threadId, describe(error)),
      error instanceof Error ? error.stack : undefined,
    );
    this.abortController.abort();
    this.detachAgent();
    // Only messages written for clients (HttpException) reach the client; anything else may hold
    // internals such as upstream URLs or keys.
    this.guard.end('failed', error instanceof HttpException ? error.message : undefined);
  }

  private detachAgent(): void {
    const subscription = this.agentSubscription;
    this.agentSubscription = undefined;
    if (subscription) safeUnsubscribe(subscription, this.logger);
  }

  private reportDrop(reason: DroppedEventReason, event: unknown): void {
    this.reportedDrops ??= new Set();
    if (this.reportedDrops.has(reason)) return;
    this.reportedDrops.add(reason);
    const type = (event as { type?: unknown } | null)?.type;
    this.logger.warn(EVENT_DROPPED(this.agentId, reason, type, this.runId));
  }
}

function safeUnsubscribe(subscription: Unsubscribable, logger: Logger): void {
  try {
    subscription.unsubscribe();
  } catch (error) {
    logger.warn(AGENT_TEARDOWN_THREW(describe(error)));
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
