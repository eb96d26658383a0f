export const BODY_NOT_AN_OBJECT = 'The request body must be a JSON object (a RunAgentInput).';

export const BODY_TOO_DEEP = (maxDepth: number) => `The request body is nested more than ${maxDepth} levels deep.`;

export const INVALID_THREAD_LIMIT = "'limit' must be 1 to 200.";

export const INVALID_THREAD_NAME = "'name' must be a string of at most 200 characters.";

export const INVALID_THREAD_ARCHIVED = "'archived' must be a boolean.";

export const CAPABILITIES_FAILED = (agentId: string, reason: string) => `getCapabilities() of agent '${agentId}' failed: ${reason}`;

export const NO_ACTIVE_RUN = (threadId: string, runId: string | undefined) =>
  `No active run for thread '${threadId}'${runId ? ` with run '${runId}'` : ''}.`;

export const SHADOWING_TOOLS_IGNORED = (runId: string, tools: readonly string[]) =>
  `Run '${runId}': ignored frontend tools named like backend actions: ${tools.join(', ')}.`;

export const MISSING_CONNECT_THREAD_ID = 'Required: the id of the thread to connect to.';

export const RUN_STARTED = (kind: string, agentId: string, threadId: string, runId: string) =>
  `${kind} started agent=${agentId} thread=${threadId} run=${runId}`;

export const RUN_ENDED = (
  kind: string,
  agentId: string,
  threadId: string,
  runId: string,
  outcome: string,
  code: string | undefined,
  ms: number,
) => `${kind} ended agent=${agentId} thread=${threadId} run=${runId} outcome=${outcome}${code ? ` code=${code}` : ''} ms=${ms}`;

export const RUN_NOT_STORED = (runId: string, reason: string) => `Could not store run '${runId}': ${reason}`;

export const AGENT_RUN_FAILED = (agentId: string, runId: string, threadId: string, reason: string) =>
  `Agent '${agentId}' failed in run '${runId}' of thread '${threadId}': ${reason}`;

export const ABORT_RUN_THREW = (agentId: string, reason: string) => `abortRun() of agent '${agentId}' threw: ${reason}`;

export const AGENT_TEARDOWN_THREW = (reason: string) => `An agent's teardown threw: ${reason}`;

export const EVENT_DROPPED = (agentId: string, reason: string, type: unknown, runId: string) =>
  `Agent '${agentId}' emitted an event the AG-UI clients would reject (${reason}${
    typeof type === 'string' ? `, ${type}` : ''
  }); it was left out of run '${runId}'. Further events dropped for the same reason are not logged.`;

export const CLIENT_INSTRUCTIONS_DROPPED = (runId: string, count: number) =>
  `Run '${runId}': dropped ${count} system/developer message${count === 1 ? '' : 's'} sent by the client; ` +
  `set forwardSystemMessages: true to let clients instruct the model.`;

export const RUN_TIMED_OUT = 'The run went on longer than the server allows, so it was ended.';

export const SUGGESTION_ENDED_BY_SHUTDOWN = 'The server is shutting down; the suggestions were not finished.';

export const RUN_DURATION_EXCEEDED = (agentId: string, threadId: string, runId: string, ms: number) =>
  `Run '${runId}' of agent '${agentId}' on thread '${threadId}' went past maxRunDurationMs (${ms} ms); it was aborted.`;

export const INVALID_THREAD_NAME_NUL = "'name' must not contain the NUL character (U+0000).";
