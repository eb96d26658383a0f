import type { BaseEvent } from '@ag-ui/core';
import { ACTION_NOT_FOUND } from '../actions/actions.messages.js';
import type { CopilotRunActions } from '../interfaces/copilot-run-context.interface.js';

/** What a run is, once it exists: what its backend actions are bound to. */
export interface RunScope {
  agentId: string;
  threadId: string;
  runId: string;
  signal: AbortSignal;
  emit(event: BaseEvent): void;
  /** Tool calls the thread's owner approved on this run's resume: only these may run an approval action. */
  approvedToolCalls: Set<string>;
}

/** For agents given no actions: nothing to list, nothing to call. */
export const NO_ACTIONS: CopilotRunActions = {
  list: async () => [],
  // Nobody to authorize: guarded tools are refused, as guarded actions are without a request.
  authorize: async (guards) => guards.length === 0,
  call: async (name) => ({
    status: 'not_found',
    content: JSON.stringify({ error: 'not_found', message: ACTION_NOT_FOUND(name) }),
  }),
};
