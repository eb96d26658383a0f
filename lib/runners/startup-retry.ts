import type { Logger } from '@nestjs/common';
import { CopilotKitConfigurationError } from '../errors/copilotkit-configuration.error.js';
import { atMost } from './time-bound.js';
import { DEPENDENCY_AVAILABLE_AGAIN, DEPENDENCY_CANNOT_START, DEPENDENCY_UNAVAILABLE } from './runners.messages.js';

export interface StartupRetryOptions {
  /** What is brought up, for the logs: 'The thread store'. */
  what: string;
  logger: Logger;
  /** Wait after the first failure, doubled after each next one up to `maxDelayMs`. Default 250 ms. */
  firstDelayMs?: number;
  /** Default 10 s. */
  maxDelayMs?: number;
}

/** A request may start an attempt of its own, but not more often than this. */
const REQUEST_ATTEMPT_INTERVAL_MS = 1000;

/**
 * Brings a dependency up (connect, migrate, recover) and, while it cannot be reached, tries again
 * in the background with exponential backoff until it can: the app boots and answers 503 meanwhile,
 * instead of crashing or keeping a rejected promise for the life of the process. A configuration
 * error (a missing package, a schema newer than this package) is not retried: a person must fix it.
 */
export class StartupRetry {
  private up = false;
  private stopped = false;
  private fatal: Error | undefined;
  private attempt: Promise<boolean> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private delayMs: number;
  private nextAttemptAt = 0;
  private lastAttemptAt = 0;
  private failures = 0;
  private lastMessage = '';

  constructor(
    private readonly task: () => Promise<void>,
    private readonly options: StartupRetryOptions,
  ) {
    this.delayMs = options.firstDelayMs ?? 250;
  }

  get isUp(): boolean {
    return this.up;
  }

  /** Seconds until the next background attempt, for `Retry-After`. */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.nextAttemptAt - Date.now()) / 1000));
  }

  /** The first attempt (later ones run in the background); rejects only with a configuration error. */
  async start(waitMs: number): Promise<void> {
    if (this.up || this.attempt || this.timer) return;
    await atMost(this.try(), waitMs, false);
    if (this.fatal) throw this.fatal;
  }

  /**
   * Up now, or once the attempt in flight succeeds within `waitMs`. A request that finds it down
   * starts an attempt at once (at most one a second), so the first request after the database
   * comes back is served instead of waiting out the backoff.
   */
  async whenUp(waitMs: number): Promise<boolean> {
    if (this.up) return true;
    if (this.stopped || this.fatal) return false;
    const attempt = this.attempt ?? (Date.now() - this.lastAttemptAt >= REQUEST_ATTEMPT_INTERVAL_MS ? this.try() : undefined);
    return attempt ? atMost(attempt, waitMs, false) : false;
  }

  /** Stops retrying; resolves once the attempt in flight (if any) has settled. */
  stop(): Promise<unknown> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    return this.attempt ?? Promise.resolve();
  }

  private try(): Promise<boolean> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastAttemptAt = Date.now();
    const attempt = this.task().then(
      () => this.succeeded(),
      (error: unknown) => this.failed(error),
    );
    this.attempt = attempt;
    void attempt.finally(() => {
      if (this.attempt === attempt) this.attempt = undefined;
    });
    return attempt;
  }

  private succeeded(): boolean {
    if (this.failures > 0) this.options.logger.log(DEPENDENCY_AVAILABLE_AGAIN(this.options.what, this.failures));
    this.up = true;
    this.failures = 0;
    return true;
  }

  private failed(error: unknown): boolean {
    const { logger, what } = this.options;
    if (error instanceof CopilotKitConfigurationError) {
      this.fatal = error;
      logger.error(DEPENDENCY_CANNOT_START(what, error.message));
      return false;
    }
    this.failures++;
    if (this.stopped) return false;
    const message = error instanceof Error ? error.message : String(error);
    const line = DEPENDENCY_UNAVAILABLE(what, message, this.delayMs);
    // The first failure and any new reason are worth a warning; the same one again is not.
    if (message !== this.lastMessage) logger.warn(line);
    else logger.debug(line);
    this.lastMessage = message;
    this.nextAttemptAt = Date.now() + this.delayMs;
    this.timer = setTimeout(() => void this.try(), this.delayMs);
    this.timer.unref();
    this.delayMs = Math.min(this.delayMs * 2, this.options.maxDelayMs ?? 10_000);
    return false;
  }
}
