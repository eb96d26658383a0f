import type { BaseEvent } from '@ag-ui/core';

/**
 * What an action method knows about the call: who asked, in which thread and run, and how to
 * report progress. Received with `@CopilotContext()` (or as the second argument by default).
 */
export interface ActionContext<TUser = unknown> {
  /** What the app's guards put on the request (`request.user`); undefined without one. */
  readonly user: TUser | undefined;
  /** The run request's headers, lower-cased. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The HTTP request of the run, when there is one. */
  readonly request: unknown;
  readonly agentId: string;
  readonly threadId: string;
  readonly runId: string;
  /** The tool call this execution answers, when the agent gave one. */
  readonly toolCallId: string | undefined;
  /** `forwardedProps` of the run input (CopilotKit `properties`). */
  readonly forwardedProps: unknown;
  /** `forwardedProps` under its CopilotKit docs name, as an object: `{}` when the run sent none. */
  readonly properties: Record<string, unknown>;
  /** Aborted when the run is stopped: pass it on to fetches and queries. */
  readonly signal: AbortSignal;
  /** Adds an AG-UI event to the run's stream (it goes through the same protocol guard). */
  emit(event: BaseEvent): void;
  /** Replaces the agent state the frontend sees (STATE_SNAPSHOT). */
  emitState(state: unknown): void;
  /**
   * Shows progress as an activity message (ACTIVITY_SNAPSHOT) that each call replaces, so a long
   * action can say "step 2 of 3" while it works.
   */
  emitProgress(content: Record<string, unknown>, activityType?: string): void;
}
