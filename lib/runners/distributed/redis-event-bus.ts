import { Logger } from '@nestjs/common';
import type { BaseEvent } from '@ag-ui/core';
import { CopilotKitConfigurationError } from '../../errors/copilotkit-configuration.error.js';
import { packageRequire } from '../../platform/package-require.cjs';
import { shutdownStep } from '../time-bound.js';
import {
  MISSING_RUNNER_PACKAGE,
  QUITTING_REDIS,
  REDIS_CONNECTION_LOST,
  REDIS_CONNECTION_PROBLEM,
  REDIS_NOT_CONNECTED,
  REDIS_REACHABLE_AGAIN,
  REDIS_SUBSCRIBE_FAILED,
  REDIS_UNSUBSCRIBE_FAILED,
  REDIS_FOREIGN_MESSAGE,
  REDIS_HANDLER_FAILED,
} from '../runners.messages.js';

/** What the bus uses of an `ioredis` client. */
export interface RedisLike {
  publish(channel: string, message: string): Promise<number>;
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  duplicate(): RedisLike;
  quit(): Promise<unknown>;
  /** Drops the connection and stops reconnecting (ioredis has it; used on shutdown when Redis does not answer). */
  disconnect?(): void;
  readonly status: string;
  once(event: 'ready', listener: () => void): unknown;
}

export interface StoredBatch {
  fromSeq: number;
  events: BaseEvent[];
}

export interface StopCommand {
  threadId: string;
  runId: string;
}

interface Channel {
  handlers: Set<(message: string) => void>;
  subscribed: Promise<unknown>;
}

/**
 * Redis pub/sub between instances: each stored batch of a run's events on the run's channel, and
 * stop requests on one control channel. Nothing is kept in Redis; history is PostgreSQL's.
 *
 * No client exists before `start()`. ioredis then reconnects by itself, with backoff, for as long
 * as Redis is away; while it is, `available` is false (runs answer 503) and commands fail at once
 * instead of queueing. Every channel is subscribed again each time the subscriber is ready.
 */
export class RedisEventBus {
  private readonly logger = new Logger(RedisEventBus.name);
  private publisher: RedisLike | undefined;
  private subscriber: RedisLike | undefined;
  private readonly ownsPublisher: boolean;
  private readonly channels = new Map<string, Channel>();
  private readonly control: string;
  /** Clients whose loss was already reported, so a Redis that stays down is one warning, not one per retry. */
  private readonly down = new Set<RedisLike>();
  private connecting = true;

  constructor(
    private readonly redis: Record<string, unknown> | RedisLike,
    private readonly prefix: string,
  ) {
    this.ownsPublisher = typeof (redis as Partial<RedisLike>).publish !== 'function';
    this.control = `${prefix}:control`;
  }

  /** Both connections are up: what a new run needs. */
  get available(): boolean {
    return this.publisher?.status === 'ready' && this.subscriber?.status === 'ready';
  }

  /** Creates the clients and waits at most `waitMs` for them to connect; later, ioredis keeps trying on its own. */
  async start(waitMs: number): Promise<void> {
    if (!this.publisher) {
      // Fail fast instead of queueing while Redis is away: an affected run is ended with a clear error.
      const publisher = this.ownsPublisher ? createRedis({ enableOfflineQueue: false, ...this.redis }) : (this.redis as RedisLike);
      const subscriber = publisher.duplicate();
      this.publisher = publisher;
      this.subscriber = subscriber;
      subscriber.on('message', (channel, message) =>
        this.channels.get(channel)?.handlers.forEach((handler) => this.deliver(handler, message)),
      );
      subscriber.on('ready', () => this.resubscribe());
      for (const client of this.ownsPublisher ? [publisher, subscriber] : [subscriber]) this.watch(client);
      if (subscriber.status === 'ready') this.resubscribe();
    }
    await this.whenAvailable(waitMs);
  }

  /**
   * Available now, or, while the first connection is still being made, once it is (at most
   * `waitMs`). Once Redis is known to be down, it answers at once.
   */
  async whenAvailable(waitMs: number): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    while (!this.available && this.connecting && this.publisher && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return this.available;
  }

  async publishBatch(threadId: string, runId: string, batch: StoredBatch): Promise<number> {
    return this.connected(this.publisher).publish(this.runChannel(threadId, runId), JSON.stringify(batch));
  }

  /** Resolves once subscribed, so nothing published afterwards is missed; returns the unsubscribe. */
  subscribeRun(threadId: string, runId: string, handler: (batch: StoredBatch) => void): Promise<() => void> {
    return this.listen(this.runChannel(threadId, runId), (message) => {
      const batch = this.read(message, isStoredBatch);
      if (batch) handler(batch);
    });
  }

  async publishStop(command: StopCommand): Promise<number> {
    return this.connected(this.publisher).publish(this.control, JSON.stringify(command));
  }

  /** Stop requests, from whenever the subscriber is (again) connected; returns the unsubscribe. */
  onStop(handler: (command: StopCommand) => void): () => void {
    const entry = this.channel(this.control);
    const listener = (message: string) => {
      const command = this.read(message, isStopCommand);
      if (command) handler(command);
    };
    entry.handlers.add(listener);
    return () => entry.handlers.delete(listener);
  }

  /**
   * Anyone who can publish on the Redis server can send anything on these channels: a message that
   * is not what this bus publishes is ignored (and logged), never thrown inside ioredis's listener.
   */
  private read<T>(message: string, is: (value: unknown) => value is T): T | undefined {
    try {
      const value: unknown = JSON.parse(message);
      if (is(value)) return value;
    } catch {
      // Logged below, as any message that is not ours.
    }
    this.logger.warn(REDIS_FOREIGN_MESSAGE(message.length));
    return undefined;
  }

  private deliver(handler: (message: string) => void, message: string): void {
    try {
      handler(message);
    } catch (error) {
      this.logger.error(REDIS_HANDLER_FAILED(String(error)), (error as Error)?.stack);
    }
  }

  /** Quits the connections this bus opened, each within `timeoutMs`, then drops whatever did not answer. */
  async close(timeoutMs: number): Promise<void> {
    const owned = [this.subscriber, this.ownsPublisher ? this.publisher : undefined].filter((client) => client !== undefined);
    this.publisher = this.subscriber = undefined;
    this.channels.clear();
    await Promise.all(
      owned.map(async (client) => {
        // QUIT to a Redis that is away would wait for a reconnection that may never come.
        if (client.status === 'ready') await shutdownStep(this.logger, QUITTING_REDIS, client.quit(), timeoutMs);
        client.disconnect?.();
      }),
    );
  }

  private async listen(channel: string, handler: (message: string) => void): Promise<() => void> {
    const entry = this.channel(channel);
    const { handlers } = entry;
    handlers.add(handler);
    try {
      await entry.subscribed;
    } catch (error) {
      handlers.delete(handler);
      if (this.channels.get(channel) === entry && handlers.size === 0) this.channels.delete(channel);
      throw error;
    }
    return () => {
      handlers.delete(handler);
      if (handlers.size > 0 || this.channels.get(channel) !== entry) return;
      this.channels.delete(channel);
      this.subscriber?.unsubscribe(channel).catch((error: unknown) => this.logger.debug(REDIS_UNSUBSCRIBE_FAILED(String(error))));
    };
  }

  private channel(channel: string): Channel {
    let entry = this.channels.get(channel);
    if (!entry) {
      const subscriber = this.subscriber;
      const subscribed = subscriber?.status === 'ready' ? subscriber.subscribe(channel) : Promise.reject(new Error(REDIS_NOT_CONNECTED));
      // The control channel is subscribed again on the next `ready`; a run channel's caller sees the error.
      subscribed.catch(() => undefined);
      entry = { handlers: new Set(), subscribed };
      this.channels.set(channel, entry);
    }
    return entry;
  }

  private resubscribe(): void {
    const channels = [...this.channels.keys()];
    if (!this.channels.has(this.control)) channels.push(this.control);
    this.subscriber?.subscribe(...channels).catch((error: unknown) => this.logger.warn(REDIS_SUBSCRIBE_FAILED(String(error))));
  }

  private watch(client: RedisLike): void {
    client.on('error', (error) => {
      this.connecting = false;
      // ioredis reconnects by itself; a lost connection is worth a warning, not a crash.
      if (this.down.has(client)) return this.logger.debug(REDIS_CONNECTION_PROBLEM(error.message));
      this.down.add(client);
      this.logger.warn(REDIS_CONNECTION_LOST(error.message));
    });
    client.on('ready', () => {
      this.connecting = false;
      if (this.down.delete(client)) this.logger.log(REDIS_REACHABLE_AGAIN);
    });
  }

  private connected(client: RedisLike | undefined): RedisLike {
    if (!client || (this.ownsPublisher && client.status !== 'ready')) throw new Error(REDIS_NOT_CONNECTED);
    return client;
  }

  private runChannel(threadId: string, runId: string): string {
    return `${this.prefix}:run:${threadId}:${runId}`;
  }
}

function createRedis(options: Record<string, unknown>): RedisLike {
  let Redis: new (options: Record<string, unknown>) => RedisLike;
  try {
    Redis = (packageRequire('ioredis') as { Redis: typeof Redis }).Redis;
  } catch {
    throw new CopilotKitConfigurationError(MISSING_RUNNER_PACKAGE('RedisPostgresAgentRunner', 'ioredis'));
  }
  return new Redis(options);
}

function isStoredBatch(value: unknown): value is StoredBatch {
  const batch = value as Partial<StoredBatch> | null;
  return typeof batch === 'object' && batch !== null && Number.isSafeInteger(batch.fromSeq) && Array.isArray(batch.events);
}

function isStopCommand(value: unknown): value is StopCommand {
  const command = value as Partial<StopCommand> | null;
  return typeof command === 'object' && command !== null && typeof command.threadId === 'string' && typeof command.runId === 'string';
}
