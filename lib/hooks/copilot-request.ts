import type { ExecutionContext } from '@nestjs/common';
import { EventType, type BaseEvent, type TokenUsage } from '@ag-ui/core';
import type { Observable } from 'rxjs';
import type { IdentifiedEvent } from '../protocol/identified-event.js';
import { messagesFromEvents } from '../protocol/thread-messages.js';
import type { CopilotRequestContext, CopilotRequestSummary, CopilotRoute } from './copilotkit-hooks.interface.js';

const REQUEST_KEY = Symbol.for('nestjs-copilotkit:request');

type Answer = { events: Observable<IdentifiedEvent> } | { error: unknown } | Record<string, never>;

/**
 * One CopilotKit request as hooks and interceptors see it. The controller says how it was
 * answered; `summary` is only computed when someone asks, so apps without hooks pay nothing.
 * A run's summary comes from its own subscription to the run, so it is complete even when the
 * client leaves early.
 */
export class CopilotRequest implements CopilotRequestContext {
  readonly startedAt = Date.now();
  threadId: string | undefined;
  runId: string | undefined;
  private resolveAnswer!: (answer: Answer) => void;
  private readonly answer = new Promise<Answer>((resolve) => (this.resolveAnswer = resolve));
  private summarized: Promise<CopilotRequestSummary> | undefined;

  constructor(
    readonly route: CopilotRoute,
    readonly request: unknown,
  ) {
    if (request && typeof request === 'object') (request as Record<symbol, unknown>)[REQUEST_KEY] = this;
  }

  /** Settles once the request is over: when a run or connect stream has ended, after the reply otherwise. */
  get summary(): Promise<CopilotRequestSummary> {
    return (this.summarized ??= this.answer.then((answer) => this.summarize(answer)));
  }

  streamed(events: Observable<IdentifiedEvent>, ids: { threadId: string; runId?: string }): void {
    Object.assign(this, ids);
    this.resolveAnswer({ events });
  }

  /** Answered without a stream (info, stop); a no-op once the request has streamed. */
  answered(): void {
    this.resolveAnswer({});
  }

  failed(error: unknown): void {
    this.resolveAnswer({ error });
  }

  private async summarize(answer: Answer): Promise<CopilotRequestSummary> {
    const base = { route: this.route, request: this.request, threadId: this.threadId, runId: this.runId };
    if ('error' in answer)
      return { ...base, messages: [], usage: [], outcome: 'error', error: answer.error, durationMs: Date.now() - this.startedAt };
    const events = 'events' in answer ? await collect(answer.events) : [];
    const usage: TokenUsage[] = [];
    let errorCode: string | undefined;
    let runId = this.runId;
    for (const event of events as Array<BaseEvent & { usage?: TokenUsage[]; code?: string; runId?: string }>) {
      if (event.type === EventType.RUN_STARTED) runId = event.runId ?? runId;
      if (event.type === EventType.RUN_FINISHED || event.type === EventType.RUN_ERROR) usage.push(...(event.usage ?? []));
      if (event.type === EventType.RUN_ERROR) errorCode = event.code ?? 'RUN_ERROR';
    }
    return {
      ...base,
      runId,
      messages: events.length > 0 ? messagesFromEvents(events) : [],
      usage,
      outcome: errorCode ? 'error' : 'finished',
      ...(errorCode && { errorCode }),
      durationMs: Date.now() - this.startedAt,
    };
  }
}

/**
 * The CopilotKit request an interceptor, guard or filter is looking at, once its handler has begun;
 * undefined on other routes. `copilotRequestOf(context)?.summary` gives the whole run.
 */
export function copilotRequestOf(target: ExecutionContext | object): CopilotRequest | undefined {
  const request = isExecutionContext(target) ? target.switchToHttp().getRequest<object>() : target;
  return (request as Record<symbol, CopilotRequest | undefined> | undefined)?.[REQUEST_KEY];
}

function isExecutionContext(target: object): target is ExecutionContext {
  return typeof (target as Partial<ExecutionContext>).switchToHttp === 'function';
}

/** Every event of the stream, in order; a failing stream gives what it delivered. */
function collect(events: Observable<IdentifiedEvent>): Promise<BaseEvent[]> {
  const collected: BaseEvent[] = [];
  return new Promise((resolve) => {
    events.subscribe({
      next: (identified) => collected.push(identified.event),
      error: () => resolve(collected),
      complete: () => resolve(collected),
    });
  });
}
