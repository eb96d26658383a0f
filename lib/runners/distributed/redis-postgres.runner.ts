import { EventType, type BaseEvent } from '@ag-ui/core';
import { Observable } from 'rxjs';
import type { IdentifiedEvent } from '../../protocol/identified-event.js';
import { rawEventId } from '../../protocol/event-id.js';
import { StoreAgentRunner, type StoreAgentRunnerOptions } from '../store-agent-runner.js';
import type { StoredRun } from '../thread-store.js';
import { PostgresThreadStore, type PostgresThreadStoreOptions } from './postgres.thread-store.js';
import { RedisEventBus, type RedisLike } from './redis-event-bus.js';
import { RunnerUnavailableException } from '../runner-unavailable.exception.js';
import { REDIS_UNREACHABLE, REMOTE_RUN_NOT_FOLLOWED, RUN_NOT_FOLLOWED } from '../runners.messages.js';

export interface RedisPostgresAgentRunnerOptions extends PostgresThreadStoreOptions, StoreAgentRunnerOptions {
  /** `ioredis` options (`host`, `port`, ...), or an existing client (it is duplicated for subscriptions). */
  redis: Record<string, unknown> | RedisLike;
  /** Prefix of the Redis channels, to share one Redis between apps or tests. Default `copilotkit`. */
  keyPrefix?: string;
  /** How long a stop waits for the instance that runs the thread to end it. Default 5 s. */
  stopTimeoutMs?: number;
}

const TERMINAL = new Set<string>([EventType.RUN_FINISHED, EventType.RUN_ERROR]);
/** How long `start()` waits for Redis before it lets the app boot anyway; a run waits at most this too. */
const REDIS_START_WAIT_MS = 5000;
const REDIS_REQUEST_WAIT_MS = 2000;

/**
 * Threads for many instances behind a load balancer: PostgreSQL keeps history and the per-thread
 * lock (with a lease renewed while the run is alive, so a crashed instance never locks a thread
 * for good); Redis carries each run's events to other instances as they are stored, and stop
 * requests to the instance that runs the thread. `connect` and `stop` work on any instance.
 *
 * ```ts
 * new RedisPostgresAgentRunner({ postgres: { connectionString }, redis: { host: 'redis' } })
 * ```
 */
/** How long a follower of a run on another instance waits without news before it reads the store. */
const FOLLOW_POLL_MS = 1000;

export class RedisPostgresAgentRunner extends StoreAgentRunner {
  private readonly bus: RedisEventBus;
  private readonly stopTimeoutMs: number;
  private stopListener: (() => void) | undefined;

  /** Only keeps the options: PostgreSQL and Redis are connected in `start()`. */
  constructor(options: RedisPostgresAgentRunnerOptions) {
    const store = new PostgresThreadStore(options);
    super(store, { housekeepingMs: Math.max(250, Math.floor((options.leaseMs ?? 30_000) / 3)), ...options });
    this.bus = new RedisEventBus(options.redis, options.keyPrefix ?? 'copilotkit');
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5000;
  }

  override async close(): Promise<void> {
    this.stopListener?.();
    await this.bus.close(this.closeTimeoutMs);
    await super.close();
  }

  protected override async startServices(): Promise<void> {
    this.stopListener ??= this.bus.onStop(({ threadId, runId }) => {
      const live = this.live.get(threadId)?.run;
      if (live?.runId === runId) live.stop();
    });
    await this.bus.start(REDIS_START_WAIT_MS);
  }

  /** A run's events reach the other instances through Redis, so without it a run would fail at its first event. */
  protected override async assertRunnable(): Promise<void> {
    await this.started();
    if (!(await this.bus.whenAvailable(REDIS_REQUEST_WAIT_MS))) {
      throw new RunnerUnavailableException(REDIS_UNREACHABLE, 2);
    }
  }

  /** Published only once stored, so a follower that subscribes then reads PostgreSQL misses nothing. */
  protected override async eventsStored(threadId: string, runId: string, fromSeq: number, events: BaseEvent[]): Promise<void> {
    await this.bus.publishBatch(threadId, runId, { fromSeq, events });
  }

  protected override followRemote(threadId: string, run: StoredRun): Observable<IdentifiedEvent> {
    return new Observable<IdentifiedEvent>((subscriber) => {
      const pending = new Map<number, BaseEvent>();
      let next = 0;
      let unsubscribe: (() => void) | undefined;
      let closed = false;
      let heard = Date.now();
      const take = (fromSeq: number, events: readonly BaseEvent[]) => {
        heard = Date.now();
        events.forEach((event, offset) => fromSeq + offset >= next && pending.set(fromSeq + offset, event));
        while (pending.has(next) && !closed) {
          const event = pending.get(next)!;
          pending.delete(next);
          subscriber.next({ id: rawEventId(run.runId, next++), event });
          if (TERMINAL.has(event.type)) {
            closed = true;
            subscriber.complete();
          }
        }
      };
      const readStored = async () => {
        const stored = (await this.store.getRuns(threadId)).find((r) => r.runId === run.runId);
        take(0, stored?.events ?? []);
        if (!closed && (!stored || stored.status === 'finished')) {
          closed = true;
          subscriber.complete();
        }
      };
      // A publication lost in a Redis outage would leave this follower waiting forever: after a
      // silence, what is stored is read again (the store has every event the run produced).
      const poll = setInterval(() => {
        if (closed || Date.now() - heard < FOLLOW_POLL_MS) return;
        heard = Date.now();
        readStored().catch((error: unknown) => this.logger.debug(REMOTE_RUN_NOT_FOLLOWED(run.runId, String(error))));
      }, FOLLOW_POLL_MS);
      poll.unref();
      void (async () => {
        // Subscribe first, then read what is stored: every event is in one or the other.
        unsubscribe = await this.bus.subscribeRun(threadId, run.runId, (batch) => take(batch.fromSeq, batch.events));
        if (subscriber.closed) return unsubscribe();
        await readStored();
      })().catch((error: unknown) => {
        this.logger.error(REMOTE_RUN_NOT_FOLLOWED(run.runId, String(error)));
        subscriber.next({
          event: { type: EventType.RUN_ERROR, message: RUN_NOT_FOLLOWED, code: 'EVENT_BUS_UNAVAILABLE' } as BaseEvent,
        });
        subscriber.complete();
      });
      return () => {
        closed = true;
        clearInterval(poll);
        unsubscribe?.();
      };
    });
  }

  protected override async stopRemote(threadId: string, runId: string | undefined): Promise<boolean> {
    const running = (await this.store.getRuns(threadId)).find((run) => run.status === 'running' && (!runId || run.runId === runId));
    if (!running) return false;
    // Ask the instance that runs it, and answer once its terminal event is out.
    return new Promise<boolean>((resolve) => {
      const subscription = this.followRemote(threadId, running).subscribe({ complete: () => done(true) });
      const timer = setTimeout(() => done(false), this.stopTimeoutMs);
      function done(stopped: boolean) {
        clearTimeout(timer);
        subscription.unsubscribe();
        resolve(stopped);
      }
      void this.bus.publishStop({ threadId, runId: running.runId }).catch(() => done(false));
    });
  }
}
