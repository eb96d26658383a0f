import type { Interrupt } from '@ag-ui/core';
import type { ActionApprovalOptions } from '../interfaces/copilot-action-options.interface.js';
import { ALLOW_ACTION } from './approvals.messages.js';

/** The AG-UI core reason for an interrupt that concerns one tool call. */
export const TOOL_CALL_REASON = 'tool_call';

/** What the server records on the interrupt, so a resume acts on the call as the model made it, never on what a client says. */
export interface ApprovalRecord {
  action: string;
  args: unknown;
  allowEdits: boolean;
}

/**
 * The interrupt a paused action call ends its run with. Its `responseSchema` is the AG-UI
 * approve-with-edits shape: `{ approved, editedArgs? }`.
 */
export function approvalInterrupt(
  toolCallId: string,
  action: string,
  args: unknown,
  options: ActionApprovalOptions,
  now = Date.now(),
): Interrupt {
  const allowEdits = options.allowEdits ?? false;
  const message = typeof options.message === 'function' ? options.message(args) : (options.message ?? ALLOW_ACTION(action));
  const record: ApprovalRecord = { action, args, allowEdits };
  return {
    id: `approval-${toolCallId}`,
    reason: TOOL_CALL_REASON,
    toolCallId,
    message,
    responseSchema: {
      type: 'object',
      properties: { approved: { type: 'boolean' }, ...(allowEdits && { editedArgs: { type: 'object' } }) },
      required: ['approved'],
    },
    ...(options.expiresInMs !== undefined && { expiresAt: new Date(now + options.expiresInMs).toISOString() }),
    metadata: { copilotkitApproval: record },
  };
}

export function approvalRecordOf(interrupt: Interrupt): ApprovalRecord | undefined {
  const record = (interrupt.metadata as { copilotkitApproval?: ApprovalRecord } | undefined)?.copilotkitApproval;
  return record && typeof record.action === 'string' ? record : undefined;
}
