import type { Logger } from '@nestjs/common';
import type { BaseEvent } from '@ag-ui/core';
import { closingEvents } from '../protocol/replay.js';
import type { ThreadStore } from './thread-store.js';
import { RECOVERED_INTERRUPTED_RUN, SERVER_STOPPED_BEFORE_RUN_FINISHED } from './runners.messages.js';

/**
 * Closes runs left running by a process that died (of one thread, or all whose lease ran out):
 * appends what closes their open messages and tool calls and a RUN_ERROR (`INTERRUPTED`), so the
 * thread replays cleanly and can be continued. `stored` hears of each appended batch, as a live
 * run's would be (a distributed runner publishes it). Returns how many runs it closed.
 */
export async function closeInterruptedRuns(
  store: ThreadStore,
  threadId: string | undefined,
  stored: (threadId: string, runId: string, fromSeq: number, events: BaseEvent[]) => Promise<void>,
  logger: Logger,
): Promise<number> {
  const expired = await store.expiredRuns(threadId);
  for (const { threadId: thread, runId } of expired) {
    const run = (await store.getRuns(thread)).find((candidate) => candidate.runId === runId);
    const closing = closingEvents(run?.events ?? [], { threadId: thread, runId }, SERVER_STOPPED_BEFORE_RUN_FINISHED, 'INTERRUPTED');
    const fromSeq = run?.events.length ?? 0;
    await store.appendEvents(thread, runId, fromSeq, closing);
    await store.endRun(thread, runId);
    await stored(thread, runId, fromSeq, closing).catch(() => undefined);
    logger.warn(RECOVERED_INTERRUPTED_RUN(runId, thread));
  }
  return expired.length;
}
