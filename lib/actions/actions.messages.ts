export const DUPLICATE_ACTION_NAME = (name: string, existing: string, location: string) =>
  `two actions are named '${name}': ${existing} and ${location}. Give one another name (@CopilotAction({ name }), or the plain action's name).`;

/** `subject` names the declaration: `@CopilotAction on TodoService.add`, `forRoot actions[1]`. */
export const ACTION_WITHOUT_DESCRIPTION = (subject: string) =>
  `${subject} has no description; the model decides when to call an action from it.`;

export const INVALID_ACTION_NAME = (subject: string, name: unknown) =>
  `${subject}: name '${String(name)}' must be 1-64 letters, digits, '_' or '-' (what LLM providers accept as a tool name).`;

export const INVALID_APPROVAL_EXPIRY = (subject: string) => `${subject}: approval.expiresInMs must be a positive number of milliseconds.`;

export const ACTION_NOT_AN_OBJECT = (subject: string, got: string) =>
  `${subject} must be an action object ({ name, description, parameters, handler }), got ${got}.`;

export const ACTION_WITHOUT_HANDLER = (subject: string) => `${subject} has no handler; give handler: (args, context) => result.`;

export const UNKNOWN_ACTION_FIELD = (subject: string, field: string, known: readonly string[]) =>
  `${subject}: unknown field '${field}'; an action takes ${known.join(', ')}.`;

export const INVALID_ACTION_FIELD = (subject: string, field: string, expected: string) => `${subject}: '${field}' must be ${expected}.`;

export const ACTIONS_FACTORY_RESULT = (got: string) => `the actions factory must return an array of actions, got ${got}.`;

export const ACTIONS_FACTORY_FAILED = (reason: string) => `the actions factory failed: ${reason}`;

export const GUARD_FAILED = (label: string, error: unknown) => `A guard of ${label} failed: ${String(error)}`;

export const ACTION_NOT_FOUND = (name: string) => `There is no action named '${name}' available to this agent.`;

export const ACTION_FORBIDDEN = (name: string) => `The caller is not allowed to use the action '${name}'.`;

export const APPROVAL_WITHOUT_TOOL_CALL_ID = (name: string) =>
  `The action '${name}' needs the user's approval, which needs a tool call id.`;

export const STOPPED_BEFORE_ACTION = 'The run was stopped before the action started.';

export const STOPPED_WHILE_RUNNING = (name: string) => `The run was stopped while '${name}' was running.`;

export const RESULT_NOT_SERIALISABLE = (name: string, error: unknown) =>
  `Action '${name}' returned a value that is not JSON-serialisable: ${String(error)}`;

export const RESULT_UNREADABLE = (name: string) => `The action '${name}' completed, but its result could not be read.`;

export const ACTION_HTTP_FAILURE = (name: string, status: number, message: string) => `The action '${name}' failed (${status}): ${message}`;

export const ACTION_THREW = (location: string, reason: string) => `Action ${location} threw: ${reason}`;

export const ACTION_INTERNAL_ERROR = (name: string) => `The action '${name}' failed because of an internal error.`;

export const ARGUMENTS_NOT_JSON = 'The arguments are not valid JSON.';

export const INVALID_ARGUMENTS = (name: string, summary: string) => `The arguments for '${name}' are invalid: ${summary}`;

export const INVALID_PARAMETERS = (location: string) =>
  `${location}: 'parameters' must be a DTO class, a JSON Schema, a Standard Schema or a CopilotKit parameter list.`;

export const PARAMETER_WITHOUT_NAME = (location: string) => `${location}: every parameter needs a name.`;

export const UNKNOWN_PARAMETER_TYPE = (location: string, type: string) => `${location}: unknown type '${type}'.`;

export const NOT_AN_OBJECT_SCHEMA = (location: string, got: unknown) =>
  `${location}: the arguments must be described by an object schema (type "object"), got ${JSON.stringify(got)}.`;

export const INVALID_JSON_SCHEMA = (location: string, reason: string) => `${location}: invalid JSON Schema: ${reason}`;

export const STANDARD_SCHEMA_WITHOUT_JSON_SCHEMA = (location: string, vendor: string) =>
  `${location}: cannot derive a JSON Schema from a '${vendor}' Standard Schema; use one that implements Standard JSON Schema, or pass a JSON Schema.`;

export const MISSING_SCHEMA_PACKAGE = (location: string, packageName: string, purpose: string) =>
  `${location}: install '${packageName}' to describe actions with ${purpose}.`;

export const MISSING_CLASS_VALIDATOR = (location: string) =>
  `${location}: describing parameters with a DTO class needs 'class-validator', 'class-transformer' and 'class-validator-jsonschema' installed.`;

export const ISSUE_NOT_AN_OBJECT = 'must be an object';

export const ISSUE_REQUIRED = 'is required';

export const ISSUE_NOT_IN_ENUM = (allowed: unknown) => `must be one of ${JSON.stringify(allowed)}`;

export const ISSUE_UNKNOWN_PROPERTY = (property: string) => `has an unknown property '${property}'`;

export const ISSUE_INVALID = 'is invalid';

export const EVENT_NOT_SERIALIZABLE = (via: string, reason: string) =>
  `${via} was given a value that cannot be sent as JSON (${reason}); send plain data (no BigInt, no circular references).`;
