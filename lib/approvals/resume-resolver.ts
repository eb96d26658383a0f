import { EventType, type BaseEvent, type Interrupt, type ResumeEntry } from '@ag-ui/core';
import { InvalidResumeException } from '../errors/invalid-resume.exception.js';
import type { ApprovalResolution } from '../interfaces/copilot-run-context.interface.js';
import { approvalRecordOf } from './approval-interrupt.js';
import { INTERRUPT_EXPIRED, NOTHING_TO_RESUME, UNANSWERED_INTERRUPTS, UNKNOWN_INTERRUPTS } from './approvals.messages.js';

export type { ApprovalResolution };

/** The interrupts a thread is waiting on: those of its last run, when it ended paused. */
export function pendingInterrupts(history: readonly BaseEvent[]): Interrupt[] {
  for (let i = history.length - 1; i >= 0; i--) {
    const event = history[i] as BaseEvent & { outcome?: { type?: string; interrupts?: Interrupt[] } };
    if (event.type === EventType.RUN_ERROR) return [];
    if (event.type !== EventType.RUN_FINISHED) continue;
    return event.outcome?.type === 'interrupt' ? (event.outcome.interrupts ?? []) : [];
  }
  return [];
}

/**
 * Matches a run's `resume` with the pending interrupts, following the AG-UI rules: every pending
 * interrupt answered, none unknown, none answered after it expired. A run without `resume` on a
 * paused thread comes from a client that does not know interrupts; its pending approvals are
 * cancelled rather than the run refused, so such clients keep working.
 */
export function resolveResume(
  pending: readonly Interrupt[],
  resume: readonly ResumeEntry[] | undefined,
  now = Date.now(),
): ApprovalResolution[] {
  const approvals = pending.map((interrupt) => ({ interrupt, record: approvalRecordOf(interrupt) }));
  if (!resume || resume.length === 0) {
    return approvals.flatMap(({ interrupt, record }) =>
      record && interrupt.toolCallId
        ? [
            {
              interruptId: interrupt.id,
              toolCallId: interrupt.toolCallId,
              action: record.action,
              args: record.args,
              approved: false,
              decision: 'cancelled' as const,
            },
          ]
        : [],
    );
  }
  if (pending.length === 0) {
    throw new InvalidResumeException('NOTHING_PENDING', NOTHING_TO_RESUME);
  }
  const byId = new Map(resume.map((entry) => [entry.interruptId, entry]));
  const unknown = [...byId.keys()].filter((id) => !pending.some((interrupt) => interrupt.id === id));
  if (unknown.length > 0) throw new InvalidResumeException('UNKNOWN_INTERRUPT', UNKNOWN_INTERRUPTS(unknown));
  const missing = pending.filter((interrupt) => !byId.has(interrupt.id)).map((interrupt) => interrupt.id);
  if (missing.length > 0) throw new InvalidResumeException('PARTIAL_RESUME', UNANSWERED_INTERRUPTS(missing));

  return approvals.flatMap(({ interrupt, record }) => {
    const entry = byId.get(interrupt.id)!;
    const expired = interrupt.expiresAt !== undefined && Date.parse(interrupt.expiresAt) <= now;
    if (expired && entry.status === 'resolved') {
      throw new InvalidResumeException('INTERRUPT_EXPIRED', INTERRUPT_EXPIRED(interrupt.id, interrupt.expiresAt!));
    }
    if (!record || !interrupt.toolCallId) return [];
    const payload = entry.payload as { approved?: unknown; editedArgs?: unknown } | boolean | undefined;
    const approved = entry.status === 'resolved' && (payload === true || (typeof payload === 'object' && payload?.approved === true));
    const edited = typeof payload === 'object' && payload?.editedArgs;
    const args = approved && record.allowEdits && edited && typeof edited === 'object' ? edited : record.args;
    const decision = entry.status === 'cancelled' ? 'cancelled' : approved ? 'approved' : 'declined';
    return [{ interruptId: interrupt.id, toolCallId: interrupt.toolCallId, action: record.action, args, approved, decision }];
  });
}
