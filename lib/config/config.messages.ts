export const OPTIONS_NOT_AN_OBJECT = (got: string) => `options must be an object, got ${got}.`;

export const UNKNOWN_OPTION = (key: string, known: Iterable<string>) =>
  `unknown option '${key}' (known: ${[...known].join(', ')}; path, guards, imports and isGlobal go beside the factory in forRootAsync).`;

export const INVALID_HEARTBEAT = (got: unknown) =>
  `'heartbeatMs' must be a whole number of milliseconds, 0 to disable; got ${String(got)}.`;

export const INVALID_MAX_BUFFERED_BYTES = (got: unknown) =>
  `'maxBufferedBytes' must be a whole number of at least 1024; got ${String(got)}.`;

export const MAX_BUFFERED_BELOW_BODY_LIMIT = (maxBufferedBytes: number, bodyLimitBytes: number) =>
  `'maxBufferedBytes' (${maxBufferedBytes}) must be larger than 'bodyLimit' (${bodyLimitBytes} bytes): a run streams its input back in one event, which a client could then never receive. Raise 'maxBufferedBytes' or lower 'bodyLimit'.`;

export const INVALID_CANCEL_RUN_ON_DISCONNECT = `'cancelRunOnDisconnect' must be a boolean.`;

export const INVALID_BODY_LIMIT = (got: unknown) => `'bodyLimit' must be a size such as '10mb' or a number of bytes; got ${String(got)}.`;

export const INVALID_THREAD_OWNER = `'threadOwner' must be a function (request) => owner id.`;

export const INVALID_AUTHORITATIVE_HISTORY = `'authoritativeHistory' must be a boolean.`;

export const INVALID_FORWARD_SYSTEM_MESSAGES = `'forwardSystemMessages' must be a boolean.`;

export const INVALID_MAX_RUN_DURATION = (got: unknown, max: number) =>
  `'maxRunDurationMs' must be a whole number of milliseconds, 1 to ${max}; got ${String(got)}.`;

export const INVALID_AGENTS = `'agents' must be a record of agent id to AG-UI agent, or a function returning one.`;

export const INVALID_ACTIONS = `'actions' must be an array of actions ({ name, description, parameters, handler }), or a function returning one per run.`;

export const INVALID_HOOKS = (index: number) =>
  `'hooks'[${index}] must be an object with beforeRequest, afterRequest or onError functions.`;

export const INVALID_TRANSCRIPTION = `'transcription' must be a TranscriptionService (an object with transcribe(input)), such as new OpenAITranscriptionService().`;

export const INVALID_MAX_AUDIO_BYTES = (got: unknown) => `'maxAudioBytes' must be a whole number of bytes, at least 1; got ${String(got)}.`;

/** How a runner may be given, for the messages about one given otherwise. */
const RUNNER_FORMS =
  "give an instance (new SqliteAgentRunner({ path: 'threads.sqlite' })), a class that extends AgentRunner, or { useFactory, inject }";

export const RUNNER_CLASS_NOT_A_RUNNER = (name: string, missing: readonly string[]) =>
  `'runner' is a function (${name || 'anonymous'}) but not an AgentRunner class, it lacks ${missing.join(', ')}: ${RUNNER_FORMS}.`;

export const INVALID_RUNNER_FACTORY = `'runner.useFactory' must be a function that returns an AgentRunner.`;

export const INVALID_RUNNER_INJECT = `'runner.inject' must be an array of injection tokens.`;

export const NOT_A_RUNNER = (missing: readonly string[], got: string | undefined) =>
  `'runner' must implement AgentRunner; it lacks ${missing.join(', ')}${got ? ` (got ${got})` : ''}: ${RUNNER_FORMS}.`;

/** A runner given as a class or a factory, as the messages below name it. */
export const RUNNER_CLASS = (name: string) => `class ${name}`;

export const RUNNER_FACTORY = 'factory';

export const RUNNER_NEEDS_MODULE = (what: string) => `'runner' is a ${what}, which only CopilotKitModule can build; give an instance here.`;

export const BUILT_NOT_A_RUNNER = (what: string, missing: readonly string[]) =>
  `the 'runner' ${what} gave something that is not an AgentRunner: it lacks ${missing.join(', ')}.`;

export const FOR_ROOT_ASYNC_WITHOUT_FACTORY = 'forRootAsync needs one of useFactory, useClass or useExisting.';

export const PATH_NOT_A_STRING = (got: string) => `'path' must be a string, got ${got}.`;

export const INVALID_PATH = (path: string) =>
  `'path' must be a plain URL path such as 'copilotkit' or 'api/copilotkit' (no parameters or wildcards), got '${path}'.`;

export const INVALID_RUNTIME_NAME = (got: unknown) => `'name' must be a non-empty string, got ${JSON.stringify(got)}.`;

export const GUARDS_NOT_AN_ARRAY = `'guards' must be an array of guard classes or instances.`;

export const INVALID_GUARD = (index: number) => `guards[${index}] is neither a guard class nor an object with canActivate().`;

export const FORWARD_HEADERS_NOT_AN_ARRAY = (got: string) =>
  `'forwardHeaders' must be an array of header names such as ['authorization', 'x-tenant'], got ${got}.`;

export const INVALID_FORWARD_HEADER = (index: number, got: unknown) =>
  `'forwardHeaders'[${index}] must be an HTTP header name (letters, digits and !#$%&'*+-.^_\`|~), got ${JSON.stringify(got)}.`;

export const UNFORWARDABLE_HEADER = (name: string) =>
  `'forwardHeaders' cannot list '${name}': it describes the caller's own connection or body, and sent on to an agent it would break that agent's request.`;
