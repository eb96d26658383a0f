import type { Logger } from '@nestjs/common';
import type { BaseEvent } from '@ag-ui/core';
import type { PreparedRun } from './agent-runner.js';
import { RunPersistence } from './run-persistence.js';
import type { ThreadStore } from './thread-store.js';
import { RUN_NOT_CLOSED, RUN_NOT_PUBLISHED, STORE_STOPPED_ANSWERING } from './runners.messages.js';

/** A run of this instance, and when what it wrote is stored. */
export interface LiveRun {
  run: PreparedRun;
  /** Resolves once the run's events are stored and the thread is released. */
  closed: Promise<void>;
  /** On shutdown: stops waiting for the run's last writes, so that its streams end. */
  abandon(): void;
}

export interface LiveRunOptions {
  /** The store itself, for the run's own writes, which report their failures by ending the run. */
  backing: ThreadStore;
  /** After a batch of the run's events is stored: a distributed runner publishes it. */
  eventsStored: (fromSeq: number, events: BaseEvent[]) => Promise<void>;
  /** Once the run is stored (or could not be) and its thread released. */
  released: (run: PreparedRun) => void;
  logger: Logger;
}

/**
 * Starts a run on the thread the caller locked, storing each event as it happens and releasing the
 * thread once the run settles. A store that stops answering ends the run with a RUN_ERROR, so no
 * client believes a run completed that was not kept.
 */
export function startLiveRun(run: PreparedRun, options: LiveRunOptions): LiveRun {
  const { backing, logger } = options;
  const { threadId, runId } = run;
  let close!: () => void;
  const closed = new Promise<void>((resolve) => (close = resolve));
  // One per run, not one the runner shares: racing a promise adds a reaction to it, and a shared
  // promise that stays pending until shutdown would keep every run's reaction, a leak per run.
  let abandon!: () => void;
  const abandoned = new Promise<void>((resolve) => (abandon = resolve));
  const persistence = new RunPersistence(backing, threadId, runId, options.eventsStored, (failure) =>
    failure === 'store' ? run.abort(STORE_STOPPED_ANSWERING, 'STORE_UNAVAILABLE') : run.abort(RUN_NOT_PUBLISHED, 'EVENT_BUS_UNAVAILABLE'),
  );
  run.start({
    onEvent: (event, seq) => persistence.add(event, seq),
    // Streams end once this settles; on shutdown, a store that hangs must not keep them open.
    onSettled: () =>
      Promise.race([
        persistence
          .finish()
          .catch((error: unknown) => logger.error(RUN_NOT_CLOSED(runId, String(error))))
          .finally(() => {
            options.released(run);
            close();
          }),
        abandoned,
      ]),
  });
  return { run, closed, abandon };
}
