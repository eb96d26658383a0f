import { CopilotKitConfigurationError } from '../errors/copilotkit-configuration.error.js';
import type { BackendAction } from '../interfaces/backend-action.interface.js';
import type { ActionCall } from './action-call.js';
import { checkActionDeclaration } from './action-declaration.js';
import type { ActionDefinition } from './action-definition.js';
import type { ActionSchema } from './schema/action-schema.js';
import { ACTION_NOT_AN_OBJECT, ACTION_WITHOUT_HANDLER, INVALID_ACTION_FIELD, UNKNOWN_ACTION_FIELD } from './actions.messages.js';

/**
 * What guards, interceptors and exception filters see as `getClass()` for an action given to
 * `forRoot({ actions })`: such an action has no provider class of its own.
 */
export class CopilotKitModuleActions {}

const FIELDS = ['name', 'description', 'parameters', 'handler', 'agents', 'approval', 'guards', 'metadata'] as const;

export interface BackendActionBuild {
  /** How messages name it: `forRoot actions[2]`. */
  subject: string;
  /** Built for one run by an actions factory. */
  perRun?: boolean;
  /** Default: resolved afresh. */
  schemaOf?: (action: BackendAction, subject: string) => Promise<ActionSchema>;
}

/** Checks a plain action as thoroughly as discovery checks a `@CopilotAction()` method, and describes it the same way. */
export async function buildBackendAction(value: unknown, build: BackendActionBuild): Promise<ActionDefinition> {
  const { subject } = build;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CopilotKitConfigurationError(ACTION_NOT_AN_OBJECT(subject, describe(value)));
  }
  const action = value as BackendAction;
  const named = typeof action.name === 'string' ? `${subject} ('${action.name}')` : subject;
  const unknown = Object.keys(action).find((field) => !(FIELDS as readonly string[]).includes(field));
  if (unknown) throw new CopilotKitConfigurationError(UNKNOWN_ACTION_FIELD(named, unknown, FIELDS));
  if (typeof action.handler !== 'function') throw new CopilotKitConfigurationError(ACTION_WITHOUT_HANDLER(named));
  checkField(named, 'agents', action.agents, (v) => Array.isArray(v) && v.every((id) => typeof id === 'string'), 'an array of agent ids');
  checkField(named, 'guards', action.guards, (v) => Array.isArray(v) && v.every(isGuard), 'an array of guard classes or instances');
  checkField(named, 'metadata', action.metadata, isPlainObject, 'an object of metadata keys to values');
  const { description, schema, approval } = await checkActionDeclaration(
    action,
    named,
    build.schemaOf && (() => build.schemaOf!(action, named)),
  );

  // Its own function per action, so metadata set on it reaches this action's guards only.
  const handler = function (this: unknown, _request: unknown, call: ActionCall): unknown {
    return action.handler(call.arguments, call.context);
  };
  Object.defineProperty(handler, 'name', { value: action.name });
  for (const [key, metadata] of Object.entries(action.metadata ?? {})) Reflect.defineMetadata(key, metadata, handler);

  return {
    name: action.name,
    description,
    agents: action.agents,
    schema,
    location: named,
    hostClass: CopilotKitModuleActions,
    methodName: action.name,
    handler,
    guards: action.guards ?? [],
    approval,
    perRun: build.perRun,
  };
}

function checkField(subject: string, field: string, value: unknown, valid: (value: unknown) => boolean, expected: string): void {
  if (value !== undefined && !valid(value)) throw new CopilotKitConfigurationError(INVALID_ACTION_FIELD(subject, field, expected));
}

function isGuard(value: unknown): boolean {
  return (
    typeof value === 'function' ||
    (typeof value === 'object' && value !== null && typeof (value as { canActivate?: unknown }).canActivate === 'function')
  );
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}
