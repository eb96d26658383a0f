export const CONFIGURATION_PROBLEM = (problem: string) => `CopilotKitModule: ${problem}`;

export const CONFIGURATION_PROBLEMS = (problems: readonly string[]) =>
  `CopilotKitModule is misconfigured:\n${problems.map((p) => `  - ${p}`).join('\n')}`;

export const AGENT_NOT_FOUND = (agentId: string) => `Agent '${agentId}' does not exist.`;

export const THREAD_NOT_FOUND = (threadId: string) => `Thread '${threadId}' does not exist.`;

export const THREAD_BUSY = (threadId: string) =>
  `Thread '${threadId}' already has a run in progress. Wait for it to finish or stop it first.`;

export const RUN_ID_TAKEN = (threadId: string, runId: string) =>
  `Thread '${threadId}' already has a run '${runId}'. Start each run with a new runId.`;

export const AGENT_CLASS_WITHOUT_RUN = (className: string) =>
  `@CopilotAgent ${className} has no run(input, context?) method. Implement it (returning an Observable of AG-UI events), or extend AbstractAgent from @ag-ui/client.`;

/** The summary of an invalid body when no field is named. */
export const INVALID_INPUT = 'Invalid input';

/** No internals: the store's own message names tables, indexes and byte counts. */
export const INPUT_NOT_STORABLE =
  'The thread store cannot hold this input: an id, a name or a query value is too long or has characters it cannot store.';
