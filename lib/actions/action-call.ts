import type { ArgumentsHost } from '@nestjs/common';
import type { ActionContext } from '../interfaces/action-context.interface.js';

/** `getType()` of the ExecutionContext (and ArgumentsHost) of an action call. */
export const COPILOTKIT_CONTEXT_TYPE = 'copilotkit';

/**
 * The call a `@CopilotAction` runs for: its validated arguments and its context. In the call's
 * ExecutionContext, argument 0 is the run's HTTP request (what `switchToHttp().getRequest()` gives
 * guards, as on a route) and argument 1 is this (what `switchToHttp().getResponse()` gives: there is
 * no HTTP response to write to; the run's stream belongs to the runtime).
 */
export interface ActionCall {
  /** The action's name, as the model called it. */
  readonly action: string;
  /** The validated arguments, what `@ActionArgs()` (or `@Body()`) receives. */
  readonly arguments: unknown;
  /** What `@CopilotContext()` receives. */
  readonly context: ActionContext;
}

/** Whether a guard, interceptor or filter runs for a `@CopilotAction` call rather than a route. */
export function isCopilotAction(host: ArgumentsHost): boolean {
  return host.getType<string>() === COPILOTKIT_CONTEXT_TYPE;
}

/** The call behind an action's ExecutionContext or ArgumentsHost; undefined anywhere else. */
export function actionCallOf(host: ArgumentsHost): ActionCall | undefined {
  return isCopilotAction(host) ? (host.getArgByIndex(1) as ActionCall | undefined) : undefined;
}
