import type { CanActivate, Type } from '@nestjs/common';
import type { ActionContext } from './action-context.interface.js';
import type { ActionApprovalOptions, ActionParameters } from './copilot-action-options.interface.js';

/**
 * A backend action given to `forRoot({ actions })` as a plain object, in the shape of the
 * CopilotKit docs' backend actions: the same validation, approvals, errors and tool results as a
 * `@CopilotAction()` method, without a provider to put it on.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the arguments' type comes from the action's own schema
export interface BackendAction<TArgs = any, TUser = unknown> {
  /** The tool name the model sees: letters, digits, `_` and `-`, at most 64. Unique in the runtime. */
  name: string;
  /** What the action does and when to use it: the model decides from this. Required. */
  description: string;
  /**
   * The arguments, in any form `@CopilotAction()` takes: the CopilotKit parameter list
   * (`[{ name, type, required }]`), a JSON Schema, a Standard Schema (zod, valibot) or a DTO class.
   * Default: none.
   */
  parameters?: ActionParameters;
  /**
   * Runs the action with the validated arguments. `context.properties` is the run's
   * `forwardedProps` (the CopilotKit `properties`), next to the caller, headers and signal.
   * What it returns is the tool result the model reads; what it throws, an error result.
   */
  handler: (args: TArgs, context: ActionContext<TUser>) => unknown;
  /** Agent ids that may use it. Default: every agent that calls actions. */
  agents?: string[];
  /** Ask the user before each call, as `@CopilotAction({ approval })`. */
  approval?: boolean | ActionApprovalOptions;
  /**
   * Guards that decide, per caller, whether the model is offered the action and whether a call
   * runs, as `@UseGuards()` on a `@CopilotAction()` method. A class is built with DI.
   */
  guards?: Array<Type<CanActivate> | CanActivate>;
  /**
   * Metadata the guards read with `Reflector` from `context.getHandler()`, as `@SetMetadata()`
   * (or a decorator such as `@Roles()`) puts it on a method: `{ roles: ['admin'] }`.
   */
  metadata?: Record<string, unknown>;
}

/** What an `actions` factory knows about the run it builds the actions for. */
export interface ActionsFactoryContext<TUser = unknown> {
  /** The HTTP request of the run, when there is one. */
  readonly request: unknown;
  /** What the app's guards put on the request (`request.user`). */
  readonly user: TUser | undefined;
  /** The run request's headers, lower-cased. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The run's `forwardedProps` (the CopilotKit `properties`); `{}` when it sent none. */
  readonly properties: Record<string, unknown>;
  /** The request's URL, when there is a request. */
  readonly url: string | undefined;
  readonly agentId: string;
  readonly threadId: string;
}

/**
 * `forRoot({ actions })`: a list, built once at boot, or a function called for each run (for
 * per-tenant or per-user tools), whose actions join the `@CopilotAction()` methods for that run.
 */
export type BackendActionsSource = BackendAction[] | ((context: ActionsFactoryContext) => BackendAction[] | Promise<BackendAction[]>);
