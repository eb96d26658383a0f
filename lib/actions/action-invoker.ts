import { Injectable } from '@nestjs/common';
import { EventType, type BaseEvent } from '@ag-ui/core';
import type { ActionDefinition } from './action-definition.js';
import { ActionRegistry } from './action-registry.js';
import type { ActionContext } from '../interfaces/action-context.interface.js';
import type { ActionCallResult, ActionDescriptor, CopilotRunActions } from '../interfaces/copilot-run-context.interface.js';
import { inSpan } from '../observability/telemetry.js';
import type { ActionCall } from './action-call.js';
import type { ActionCatalog } from './action-catalog.js';
import { ActionAuthorizer } from './action-authorizer.js';
import { ActionHandlers } from './action-handlers.js';
import { approvalRequired, failure, success, thrown } from './action-result.js';
import { readToolArguments } from './tool-arguments.js';
import { propertiesOf } from './forwarded-properties.js';
import {
  ACTION_FORBIDDEN,
  ACTION_NOT_FOUND,
  APPROVAL_WITHOUT_TOOL_CALL_ID,
  EVENT_NOT_SERIALIZABLE,
  STOPPED_BEFORE_ACTION,
  STOPPED_WHILE_RUNNING,
} from './actions.messages.js';

/** Who is calling and in which run: everything an action call is judged and executed with. */
export interface ActionCallScope {
  request?: unknown;
  agentId: string;
  threadId: string;
  runId: string;
  forwardedProps?: unknown;
  signal: AbortSignal;
  emit(event: BaseEvent): void;
  approvedToolCalls?: Set<string>;
  /** Where this run's actions are looked up; default the registry (no actions factory). */
  catalog?: ActionCatalog;
}

/**
 * The path from an agent's tool call to an action method and back: find the action, check the
 * agent and the caller may use it, parse and validate the arguments, resolve the provider for this
 * request, call the method with its context, and turn whatever happens into a tool result.
 */
@Injectable()
export class ActionInvoker {
  constructor(
    private readonly registry: ActionRegistry,
    private readonly authorizer: ActionAuthorizer,
    private readonly handlers: ActionHandlers,
  ) {}

  /** The toolkit a run's agent gets as `context.actions`. */
  bind(scope: ActionCallScope): CopilotRunActions {
    let listed: Promise<ActionDescriptor[]> | undefined;
    return {
      // The caller and the agent do not change during a run, so guards are evaluated once.
      list: () => (listed ??= this.available(scope)),
      call: (name, args, options) => this.invoke(name, args, scope, options?.toolCallId),
      authorize: (guards, site) => this.authorizer.allows(guards, scope, site),
    };
  }

  /** The actions this agent may offer this caller: hidden ones are never shown to the model. */
  async available(scope: ActionCallScope): Promise<ActionDescriptor[]> {
    const actions = (scope.catalog ?? this.registry).forAgent(scope.agentId);
    const allowed = await Promise.all(actions.map((action) => this.authorizer.isAllowed(action, scope)));
    return actions
      .filter((_, index) => allowed[index])
      .map(({ name, description, schema }) => ({ name, description, parameters: schema.jsonSchema }));
  }

  invoke(name: string, rawArgs: unknown, scope: ActionCallScope, toolCallId?: string): Promise<ActionCallResult> {
    // The span's duration is the action's; its outcome is the status the model is told.
    return inSpan(
      'copilotkit.action',
      { 'copilotkit.action.name': name, 'copilotkit.agent_id': scope.agentId },
      () => this.execute(name, rawArgs, scope, toolCallId),
      (result) => ({
        attributes: { 'copilotkit.action.outcome': result.status },
        error: result.status === 'success' ? undefined : result.status,
      }),
    );
  }

  private async execute(name: string, rawArgs: unknown, scope: ActionCallScope, toolCallId?: string): Promise<ActionCallResult> {
    const action = (scope.catalog ?? this.registry).get(name);
    if (!action || (action.agents && !action.agents.includes(scope.agentId))) {
      return failure('not_found', ACTION_NOT_FOUND(name));
    }
    // Checked again at execution: a forged history or a stale tool list must not get around it.
    if (!(await this.authorizer.isAllowed(action, scope))) {
      return failure('forbidden', ACTION_FORBIDDEN(name));
    }
    const validated = await readToolArguments(rawArgs, action.schema, name);
    if (!validated.ok) return validated.result;
    // An approval is spent by the call it was given for: a later call reusing the id asks again.
    if (action.approval && !(toolCallId && scope.approvedToolCalls?.delete(toolCallId))) {
      // Validated first, so the user is only ever asked about a call that can run.
      if (!toolCallId) return failure('forbidden', APPROVAL_WITHOUT_TOOL_CALL_ID(name));
      return approvalRequired(toolCallId, name, validated.value, action.approval);
    }
    if (scope.signal.aborted) return failure('stopped', STOPPED_BEFORE_ACTION);
    try {
      const handler = await this.handlers.for(action, scope.request);
      const call: ActionCall = {
        action: name,
        arguments: this.handlers.argumentsGoThroughPipes(action) ? validated.sent : validated.value,
        context: createContext(action, scope, toolCallId),
      };
      // Without a request (the runtime driven from code), Nest's context still needs an object to carry.
      const outcome = await untilAborted(handler(scope.request ?? {}, call), scope.signal);
      if (outcome.aborted) return failure('stopped', STOPPED_WHILE_RUNNING(name));
      return success(outcome.value, name);
    } catch (error) {
      return thrown(error, name, action.location);
    }
  }
}

function createContext(action: ActionDefinition, scope: ActionCallScope, toolCallId: string | undefined): ActionContext {
  const request = scope.request as { user?: unknown; headers?: ActionContext['headers'] } | undefined;
  const progressId = `${toolCallId ?? `${action.name}-${scope.runId}`}-progress`;
  return {
    user: request?.user,
    headers: request?.headers ?? {},
    request: scope.request,
    agentId: scope.agentId,
    threadId: scope.threadId,
    runId: scope.runId,
    toolCallId,
    forwardedProps: scope.forwardedProps,
    properties: propertiesOf(scope.forwardedProps),
    signal: scope.signal,
    emit: (event) => scope.emit(serializable(event, 'emit()')),
    emitState: (state) => scope.emit(serializable({ type: EventType.STATE_SNAPSHOT, snapshot: state } as BaseEvent, 'emitState()')),
    emitProgress: (content, activityType = 'PROGRESS') =>
      scope.emit(
        serializable(
          { type: EventType.ACTIVITY_SNAPSHOT, messageId: progressId, activityType, content, replace: true } as BaseEvent,
          'emitProgress()',
        ),
      ),
  };
}

/**
 * An event is stored and streamed as JSON; one that cannot be (a BigInt, a circular value) would
 * fail far from its cause, inside the stream or the store. It fails here instead, in the action
 * that emitted it, which then fails like any action that throws.
 */
function serializable(event: BaseEvent, via: string): BaseEvent {
  try {
    JSON.stringify(event);
  } catch (error) {
    throw new TypeError(EVENT_NOT_SERIALIZABLE(via, error instanceof Error ? error.message : String(error)), { cause: error });
  }
  return event;
}

/** Settles with the action's outcome, or as soon as the run is stopped (the action keeps its signal). */
function untilAborted<T>(pending: Promise<T>, signal: AbortSignal): Promise<{ aborted: true } | { aborted: false; value: T }> {
  if (signal.aborted) return Promise.resolve({ aborted: true });
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve({ aborted: true });
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve({ aborted: false, value });
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
