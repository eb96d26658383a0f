import type { CanActivate, Type } from '@nestjs/common';
import type { BaseEvent, Interrupt } from '@ag-ui/core';
import type { JsonSchema } from './copilot-action-options.interface.js';

/** An action as an agent offers it to a model. */
export interface ActionDescriptor {
  name: string;
  description: string;
  /** JSON Schema of the arguments: always `type: "object"`. */
  parameters: JsonSchema;
}

export type ActionCallStatus = 'success' | 'invalid_arguments' | 'forbidden' | 'not_found' | 'failed' | 'stopped' | 'approval_required';

/** The outcome of one action call; `content` is what goes into TOOL_CALL_RESULT. */
export interface ActionCallResult {
  status: ActionCallStatus;
  content: string;
  /** With `approval_required`: end the run with this interrupt; the action runs once it is approved. */
  interrupt?: Interrupt;
}

/** The backend actions this run may use, already filtered for the caller and the agent. */
export interface CopilotRunActions {
  list(): Promise<ActionDescriptor[]>;
  /**
   * Validates `args` (an object or its JSON text), checks the caller may use the action, runs it,
   * and returns its result as tool-result content. Never throws: failures are results the model can act on.
   */
  call(name: string, args: unknown, options?: { toolCallId?: string }): Promise<ActionCallResult>;
  /**
   * Runs Nest guards for the caller of this run, for tools that are not actions (an MCP server):
   * `site` names what the guards' ExecutionContext reports as class and handler.
   */
  authorize(
    guards: Array<Type<CanActivate> | CanActivate>,
    site: { label: string; hostClass: Function; handler: Function },
  ): Promise<boolean>;
}

/** The second argument of `run(input, context)` for agents that want more than the AG-UI input. */
export interface CopilotRunContext {
  readonly agentId: string;
  readonly threadId: string;
  readonly runId: string;
  /** The HTTP request of the run, when there is one. */
  readonly request: unknown;
  /** Aborted when the run is stopped. */
  readonly signal: AbortSignal;
  /** Adds an event to the run's stream, through the same protocol guard as the agent's own. */
  emit(event: BaseEvent): void;
  readonly actions: CopilotRunActions;
  /** The user's answers to the approvals the previous run paused on, checked by the runner. Apply them first. */
  readonly approvals: readonly ApprovalResolution[];
}

/** The user's answer to one paused action call, checked against what the server recorded. */
export interface ApprovalResolution {
  interruptId: string;
  toolCallId: string;
  action: string;
  /** The recorded arguments, or the user's edits when the action allows them. */
  args: unknown;
  approved: boolean;
  /** `cancelled`: the client moved on without answering (a client that does not know interrupts). */
  decision: 'approved' | 'declined' | 'cancelled';
}
