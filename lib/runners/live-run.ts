import type { Logger } from '@nestjs/common';
import type { BaseEvent, RunAgentInput } from '@ag-ui/core';
import { pendingInterrupts, resolveResume } from '../approvals/resume-resolver.js';
import { announcedInput, authoritativeHistory, collectMessageIds, messagesFromEvents } from '../protocol/thread-messages.js';
import { AgentRun } from './agent-run.js';
import type { RunnerRunRequest } from './agent-runner.js';
import { RunPersistence } from './run-persistence.js';
import type { ThreadStore } from './thread-store.js';
import { RUN_NOT_CLOSED, RUN_NOT_PUBLISHED, STORE_STOPPED_ANSWERING } from './runners.messages.js';

/** A run of this instance, and when what it wrote is stored. */
export interface LiveRun {
  run: AgentRun;
  /** Resolves once the run's events are stored and the thread is released. */
  closed: Promise<void>;
}

export interface LiveRunOptions {
  request: RunnerRunRequest;
  /** The input the thread was locked for: a resumed run has a fresh run id. */
  input: RunAgentInput;
  /** The store as requests use it, for the thread's history. */
  store: ThreadStore;
  /** The store itself, for the run's own writes, which report their failures by ending the run. */
  backing: ThreadStore;
  /** After a batch of the run's events is stored: a distributed runner publishes it. */
  eventsStored: (fromSeq: number, events: BaseEvent[]) => Promise<void>;
  /** Once the run is stored (or could not be) and its thread released. */
  released: (run: AgentRun) => void;
  /** Resolves when shutdown stops waiting for runs' last writes. */
  abandoned: Promise<void>;
  logger: Logger;
}

/**
 * The run that continues a thread the caller has locked: earlier turns and the approvals it
 * resumes come from the store, each event is stored as it happens, and the thread is released
 * once the run settles. It is not started, so the caller can record it first.
 */
export async function createLiveRun(options: LiveRunOptions): Promise<LiveRun> {
  const { request, input, backing, logger } = options;
  const { threadId } = request;
  const previous = (await options.store.getRuns(threadId)).filter((run) => run.status === 'finished');
  const history = previous.flatMap((run) => run.events);
  // Checked against the store, not the client: a forged or replayed resume is refused here.
  const approvals = resolveResume(pendingInterrupts(history), input.resume);
  const known = new Set<string>();
  collectMessageIds(history, known);
  const agentInput =
    request.history === 'authoritative'
      ? { ...input, messages: authoritativeHistory(messagesFromEvents(history), known, input.messages) }
      : input;
  let close!: () => void;
  const closed = new Promise<void>((resolve) => (close = resolve));
  const persistence = new RunPersistence(backing, threadId, input.runId, options.eventsStored, (failure) =>
    failure === 'store' ? run.abort(STORE_STOPPED_ANSWERING, 'STORE_UNAVAILABLE') : run.abort(RUN_NOT_PUBLISHED, 'EVENT_BUS_UNAVAILABLE'),
  );
  const run: AgentRun = new AgentRun({
    threadId,
    runId: input.runId,
    agentId: request.agentId,
    agent: request.agent,
    input: agentInput,
    announcedInput: announcedInput(agentInput, known),
    request: request.request,
    bindActions: request.bindActions,
    approvals,
    onEvent: (event, seq) => persistence.add(event, seq),
    // Streams end once this settles; on shutdown, a store that hangs must not keep them open.
    onSettled: () =>
      Promise.race([
        persistence
          .flush()
          .then(() => backing.endRun(threadId, input.runId))
          .catch((error: unknown) => logger.error(RUN_NOT_CLOSED(input.runId, String(error))))
          .finally(() => {
            options.released(run);
            close();
          }),
        options.abandoned,
      ]),
  });
  return { run, closed };
}
