import type { Logger } from '@nestjs/common';
import { SHUTDOWN_STEP_FAILED, SHUTDOWN_STEP_TIMED_OUT } from './runners.messages.js';

/** Resolves with `work`'s value, or with `fallback` once `ms` have passed without it. */
export function atMost<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * One step of a shutdown, given at most `ms`: a PostgreSQL or Redis that stopped answering must
 * not hold `app.close()` forever, so what does not finish in time is abandoned and logged.
 */
export async function shutdownStep(logger: Logger, what: string, work: Promise<unknown>, ms: number): Promise<void> {
  const outcome = await atMost(
    work.then(
      () => 'done' as const,
      (error: unknown) => error,
    ),
    ms,
    'late' as const,
  );
  if (outcome === 'late') logger.warn(SHUTDOWN_STEP_TIMED_OUT(what, ms));
  else if (outcome !== 'done') logger.warn(SHUTDOWN_STEP_FAILED(what, String(outcome)));
}
