import type { Message, TokenUsage } from '@ag-ui/core';

/** Which CopilotKit route a request is for, with the ids the route names. */
export type CopilotRoute =
  | { method: 'info' }
  | { method: 'agent/run' | 'agent/connect' | 'agent/suggest'; agentId: string }
  | { method: 'agent/stop'; agentId: string; threadId: string }
  | { method: 'transcribe' };

export interface CopilotRequestContext {
  route: CopilotRoute;
  /** The platform request. Properties set on it here (a tenant, a user) reach actions as `context.request`. */
  request: unknown;
}

/** `error`: the request was refused or failed (see `error`), or the run ended with RUN_ERROR (see `errorCode`). */
export type CopilotRequestOutcome = 'finished' | 'error';

/** What happened in one request: for audit logs, analytics and billing. */
export interface CopilotRequestSummary extends CopilotRequestContext {
  /** Run and connect: the thread streamed; stop: the thread stopped; suggest: the client's throwaway id (never stored). */
  threadId?: string;
  /** The run started (run, suggest) or the runs replayed and followed (connect, the last one). */
  runId?: string;
  /** Run, connect and suggest: the messages reconstructed from the streamed events. */
  messages: Message[];
  /** Token usage the agent reported on its terminal events, one entry per model call. */
  usage: TokenUsage[];
  outcome: CopilotRequestOutcome;
  /** The code of the run's RUN_ERROR. */
  errorCode?: string;
  /** What the route threw before anything was streamed (usually an `HttpException`). */
  error?: unknown;
  durationMs: number;
}

/**
 * Hooks around every CopilotKit request, given as `forRoot({ hooks })` or as a provider decorated
 * with `@CopilotHooks()` (which gets dependencies injected). All are optional.
 */
export interface CopilotKitHooks {
  /**
   * Before the route runs, after guards. Throw an `HttpException` to answer with it instead;
   * set properties on `request` to enrich what actions and agents see.
   */
  beforeRequest?(context: CopilotRequestContext): void | Promise<void>;
  /**
   * Once the request is over: for a run, when the run has ended, even if the client left early.
   * Errors are logged and never reach the client.
   */
  afterRequest?(summary: CopilotRequestSummary): void | Promise<void>;
  /** When the route fails before streaming (unknown agent, invalid input, a busy thread...). */
  onError?(context: CopilotRequestContext & { error: unknown }): void | Promise<void>;
}
