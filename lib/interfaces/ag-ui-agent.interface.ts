import type { AgentCapabilities, BaseEvent, RunAgentInput } from '@ag-ui/core';
import type { Subscribable } from 'rxjs';
import type { CopilotRunContext } from './copilot-run-context.interface.js';

/**
 * What the runtime needs of an agent: the AG-UI `run(input)` contract. Every `AbstractAgent` from
 * `@ag-ui/client` (HttpAgent, LangGraph, Mastra, CrewAI, ...) satisfies it, and so does a plain
 * object. Typed as `Subscribable` rather than rxjs's `Observable` so that agents built against
 * another copy of rxjs still fit.
 */
export interface AgUiAgent {
  /**
   * AG-UI agents take only `input`; agents written for this runtime also get `context`: the
   * caller's request, an abort signal, and the backend actions they may call.
   */
  run(input: RunAgentInput, context?: CopilotRunContext): Subscribable<BaseEvent>;
  /**
   * Called once per request when present, so no state leaks between threads or users. An agent
   * without `clone()` is shared by every request and must keep no per-run state.
   */
  clone?(): AgUiAgent;
  /** Called when the run is stopped, in addition to unsubscribing from `run()`. */
  abortRun?(): void;
  /** Reported by `GET /info`. */
  description?: string;
  getCapabilities?(): Promise<AgentCapabilities>;
}

/** What an agents factory receives: the incoming HTTP request, when there is one. */
export interface AgentFactoryContext {
  request?: unknown;
}

/** Either a fixed record of agents, or a function that builds them per request (per user, per tenant). */
export type AgentsSource =
  Record<string, AgUiAgent> | ((context: AgentFactoryContext) => Record<string, AgUiAgent> | Promise<Record<string, AgUiAgent>>);
