export const SHUTTING_DOWN = 'This instance is shutting down; retry the run.';

export const RUN_ENDED_BY_SHUTDOWN = 'The server is shutting down; the run was ended.';

export const STORE_STOPPED_ANSWERING = 'The thread store stopped answering, so the run was ended.';

export const RUN_NOT_PUBLISHED = 'Other instances could not be told about the run, so it was ended.';

export const RUN_NOT_CLOSED = (runId: string, reason: string) => `Could not close run '${runId}': ${reason}`;

export const HOUSEKEEPING_FAILED = (reason: string) => `Thread housekeeping failed: ${reason}`;

/** What the thread store's startup logs name. */
export const THREAD_STORE = 'The thread store';

export const THREAD_STORE_UNREACHABLE = 'The thread store is not reachable; retry shortly.';

export const THREAD_STORE_CALL_FAILED = (reason: string) => `Thread store call failed: ${reason}`;

export const THREAD_STORE_NOT_ANSWERING = 'The thread store is not answering; retry shortly.';

export const EVENTS_NOT_WRITTEN = (failure: string, runId: string, reason: string) =>
  `Could not ${failure} events of run '${runId}': ${reason}`;

export const PUBLISH_TIMED_OUT = (ms: number) => `the event bus did not confirm the publication within ${ms} ms`;

export const UNSTORED_EVENTS_LOST = (count: number, runId: string, reason: string) =>
  `The last ${count} events of run '${runId}' could not be stored when it ended: ${reason}. Its thread replays it without them.`;

export const DEPENDENCY_AVAILABLE_AGAIN = (what: string, failures: number) =>
  `${what} is available again, after ${failures} failed attempts.`;

export const DEPENDENCY_CANNOT_START = (what: string, reason: string) => `${what} cannot start: ${reason}`;

export const DEPENDENCY_UNAVAILABLE = (what: string, reason: string, retryInMs: number) =>
  `${what} is not available (${reason}); retrying in ${retryInMs} ms, and runs answer 503 until then.`;

/** The shutdown steps, as the shutdown logs name them. */
export const STORING_LAST_EVENTS = (runs: number) => `storing the last events of ${runs} ended run(s)`;

export const WAITING_FOR_STORE = 'waiting for the thread store to open';

export const CLOSING_STORE = 'closing the thread store';

export const QUITTING_REDIS = 'quitting Redis';

export const SHUTDOWN_STEP_TIMED_OUT = (what: string, ms: number) => `Shutdown: ${what} took longer than ${ms} ms; abandoned it.`;

export const SHUTDOWN_STEP_FAILED = (what: string, reason: string) => `Shutdown: ${what} failed: ${reason}`;

/** The RUN_ERROR that closes a run a stopped server left running. */
export const SERVER_STOPPED_BEFORE_RUN_FINISHED = 'The server stopped before this run finished.';

export const RECOVERED_INTERRUPTED_RUN = (runId: string, threadId: string) =>
  `Recovered run '${runId}' of thread '${threadId}', interrupted by a stopped server.`;

export const INVALID_RUNNER_OPTION = (name: string, got: unknown) =>
  `runner option '${name}' must be a positive integer, got ${String(got)}.`;

export const MISSING_RUNNER_PACKAGE = (runner: string, packageName: string) =>
  `${runner} needs the '${packageName}' package: npm install ${packageName}`;

export const MAX_THREADS_REACHED = (maxThreads: number) =>
  `InMemoryAgentRunner reached maxThreads (${maxThreads}) and forgets the least recently used threads. ` +
  'Raise the limit or use a durable runner to keep them.';

export const SQLITE_NOT_OPEN = (path: string) => `The SQLite database '${path}' is not open.`;

export const SQLITE_SCHEMA_TOO_NEW = (version: number, known: number) =>
  `the SQLite database has schema version ${version}, newer than this version of nestjs-copilotkit knows (${known}). Upgrade the package.`;

export const POSTGRES_NOT_OPEN = 'The PostgreSQL thread store is not open.';

export const POSTGRES_CONNECTION_LOST = (reason: string) => `PostgreSQL connection lost: ${reason}`;

export const INVALID_SCHEMA_NAME = (schema: string) =>
  `PostgreSQL schema name '${schema}' must be a lower-case identifier (letters, digits, underscores).`;

export const POSTGRES_SCHEMA_TOO_NEW = (schema: string, version: number, known: number) =>
  `schema ${schema} is at version ${version}, newer than this version of nestjs-copilotkit knows (${known}).`;

export const REDIS_NOT_CONNECTED = 'Redis is not connected.';

export const REDIS_UNREACHABLE = 'Redis, which carries runs between instances, is not reachable; retry shortly.';

export const REDIS_CONNECTION_PROBLEM = (reason: string) => `Redis connection problem: ${reason}`;

export const REDIS_CONNECTION_LOST = (reason: string) => `${REDIS_CONNECTION_PROBLEM(reason)}; runs answer 503 until it is back.`;

export const REDIS_REACHABLE_AGAIN = 'Redis is reachable again.';

export const REDIS_SUBSCRIBE_FAILED = (reason: string) => `Could not subscribe to Redis channels: ${reason}`;

export const REDIS_UNSUBSCRIBE_FAILED = (reason: string) => `Redis unsubscribe failed: ${reason}`;

export const REDIS_FOREIGN_MESSAGE = (length: number) =>
  `Ignored a message on a CopilotKit Redis channel that this runner did not publish (${length} characters); is something else publishing under the same channel prefix?`;

export const REDIS_HANDLER_FAILED = (reason: string) => `Handling a Redis message failed: ${reason}`;

export const REMOTE_RUN_NOT_FOLLOWED = (runId: string, reason: string) => `Could not follow run '${runId}' on another instance: ${reason}`;

/** The RUN_ERROR a follower gets for it: the log's reason may carry internals. */
export const RUN_NOT_FOLLOWED = 'The run could not be followed.';

export const THREAD_STORE_REFUSED_INPUT = (reason: string) => `Thread store refused a call's input (answered 400): ${reason}`;

export const ID_TOO_LONG = (maxLength: number) => `must be at most ${maxLength} characters long.`;

export const ID_HAS_NUL = 'must not contain the NUL character (U+0000).';

export const ID_NOT_WELL_FORMED = 'must be well-formed Unicode (no unpaired surrogate).';
