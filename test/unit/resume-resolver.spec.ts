import { EventType, type BaseEvent } from '@ag-ui/core';
import { approvalInterrupt } from '../../lib/approvals/approval-interrupt.js';
import { pendingInterrupts, resolveResume } from '../../lib/approvals/resume-resolver.js';

const a = approvalInterrupt('t1', 'deleteTask', { id: 1 }, {});
const b = approvalInterrupt('t2', 'renameTask', { id: 2 }, { allowEdits: true, expiresInMs: 1000 }, 0);
const finished = (outcome?: unknown) =>
  ({ type: EventType.RUN_FINISHED, threadId: 't', runId: 'r', ...(outcome ? { outcome } : {}) }) as BaseEvent;

describe('pendingInterrupts', () => {
  it('reads the interrupts of the last run only when it ended paused', () => {
    expect(pendingInterrupts([finished({ type: 'interrupt', interrupts: [a, b] })])).toEqual([a, b]);
    expect(pendingInterrupts([finished({ type: 'interrupt', interrupts: [a] }), finished()])).toEqual([]);
    expect(
      pendingInterrupts([finished({ type: 'interrupt', interrupts: [a] }), { type: EventType.RUN_ERROR, message: 'x' } as BaseEvent]),
    ).toEqual([]);
    expect(pendingInterrupts([])).toEqual([]);
  });
});

describe('resolveResume', () => {
  it('cancels every pending approval when a run carries no resume (a client that does not know interrupts)', () => {
    expect(resolveResume([a], undefined).map((r) => [r.toolCallId, r.decision, r.approved])).toEqual([['t1', 'cancelled', false]]);
    expect(resolveResume([], [])).toEqual([]);
  });

  it('refuses a resume with nothing pending, unknown ids, or a partial answer', () => {
    expect(() => resolveResume([], [{ interruptId: a.id, status: 'resolved' }])).toThrow(
      expect.objectContaining({ code: 'NOTHING_PENDING' }),
    );
    expect(() => resolveResume([a], [{ interruptId: 'x', status: 'resolved' }])).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_INTERRUPT' }),
    );
    expect(() => resolveResume([a, b], [{ interruptId: a.id, status: 'resolved' }], 0)).toThrow(
      expect.objectContaining({ code: 'PARTIAL_RESUME' }),
    );
  });

  it('refuses approving after expiry but accepts cancelling', () => {
    expect(() => resolveResume([b], [{ interruptId: b.id, status: 'resolved', payload: { approved: true } }], 5000)).toThrow(
      expect.objectContaining({ code: 'INTERRUPT_EXPIRED' }),
    );
    expect(resolveResume([b], [{ interruptId: b.id, status: 'cancelled' }], 5000)[0].decision).toBe('cancelled');
  });

  it('approves only on an explicit yes, and takes edits only where the action allows them', () => {
    const answers = resolveResume(
      [a, b],
      [
        { interruptId: a.id, status: 'resolved', payload: { approved: true, editedArgs: { id: 99 } } },
        { interruptId: b.id, status: 'resolved', payload: { approved: true, editedArgs: { id: 7 } } },
      ],
      0,
    );
    expect(answers.map((r) => [r.approved, r.args])).toEqual([
      [true, { id: 1 }],
      [true, { id: 7 }],
    ]);
    expect(resolveResume([a], [{ interruptId: a.id, status: 'resolved', payload: true }])[0].approved).toBe(true);
    expect(resolveResume([a], [{ interruptId: a.id, status: 'resolved', payload: 'yes' }])[0].decision).toBe('declined');
    expect(resolveResume([a], [{ interruptId: a.id, status: 'resolved' }])[0].approved).toBe(false);
  });
});
