import { Logger } from '@nestjs/common';
import type { BaseEvent } from '@ag-ui/core';
import { CopilotKitConfigurationError } from '../../errors/copilotkit-configuration.error.js';
import { packageRequire } from '../../platform/package-require.cjs';

/** What the bus uses of an `ioredis` client. */
export interface RedisLike {
  publish(channel: string, message: string): Promise<number>;
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  duplicate(): RedisLike;
  quit(): Promise<unknown>;
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

const logger = new Logger('CopilotKit');

/**
 * Redis pub/sub between instances: each stored batch of a run's events on the run's channel, and
 * stop requests on one control channel. Nothing is kept in Redis; history is PostgreSQL's.
 */
export class RedisEventBus {
  private readonly publisher: RedisLike;
  private readonly subscriber: RedisLike;
  private readonly ownsPublisher: boolean;
  private readonly handlers = new Map<string, { handlers: Set<(message: string) => void>; subscribed: Promise<unknown> }>();
  private readonly control: string;
  /** First connection only: after it, a lost connection fails commands at once instead of queueing. */
  private readonly publisherReady: Promise<void>;
  private readonly subscriberReady: Promise<void>;

  constructor(
    redis: Record<string, unknown> | RedisLike,
    private readonly prefix: string,
  ) {
    this.ownsPublisher = typeof (redis as Partial<RedisLike>).publish !== 'function';
    // Fail fast instead of queueing while Redis is away: an affected run is ended with a clear
    // error, and the client reconnects on its own when Redis is back.
    this.publisher = this.ownsPublisher ? createRedis({ enableOfflineQueue: false, ...redis }) : (redis as RedisLike);
    this.subscriber = this.publisher.duplicate();
    this.subscriber.on('message', (channel, message) => this.handlers.get(channel)?.handlers.forEach((handler) => handler(message)));
    // ioredis reconnects by itself; a lost connection is worth a warning, not a crash.
    for (const client of this.ownsPublisher ? [this.publisher, this.subscriber] : [this.subscriber]) {
      client.on('error', (error) => logger.warn(`Redis connection problem: ${error.message}`));
    }
    this.control = `${prefix}:control`;
    this.publisherReady = whenReady(this.publisher);
    this.subscriberReady = whenReady(this.subscriber);
  }

  async publishBatch(threadId: string, runId: string, batch: StoredBatch): Promise<number> {
    await this.publisherReady;
    return this.publisher.publish(this.runChannel(threadId, runId), JSON.stringify(batch));
  }

  /** Resolves once subscribed, so nothing published afterwards is missed; returns the unsubscribe. */
  subscribeRun(threadId: string, runId: string, handler: (batch: StoredBatch) => void): Promise<() => void> {
    return this.listen(this.runChannel(threadId, runId), (message) => handler(JSON.parse(message) as StoredBatch));
  }

  async publishStop(command: StopCommand): Promise<number> {
    await this.publisherReady;
    return this.publisher.publish(this.control, JSON.stringify(command));
  }

  onStop(handler: (command: StopCommand) => void): Promise<() => void> {
    return this.listen(this.control, (message) => handler(JSON.parse(message) as StopCommand));
  }

  async close(): Promise<void> {
    await this.subscriber.quit().catch(() => undefined);
    if (this.ownsPublisher) await this.publisher.quit().catch(() => undefined);
  }

  private async listen(channel: string, handler: (message: string) => void): Promise<() => void> {
    let entry = this.handlers.get(channel);
    if (!entry) {
      entry = { handlers: new Set(), subscribed: this.subscriberReady.then(() => this.subscriber.subscribe(channel)) };
      this.handlers.set(channel, entry);
    }
    const { handlers } = entry;
    handlers.add(handler);
    try {
      await entry.subscribed;
    } catch (error) {
      handlers.delete(handler);
      if (this.handlers.get(channel) === entry && handlers.size === 0) this.handlers.delete(channel);
      throw error;
    }
    return () => {
      handlers.delete(handler);
      if (handlers.size > 0 || this.handlers.get(channel) !== entry) return;
      this.handlers.delete(channel);
      this.subscriber.unsubscribe(channel).catch((error: unknown) => logger.debug(`Redis unsubscribe failed: ${String(error)}`));
    };
  }

  private runChannel(threadId: string, runId: string): string {
    return `${this.prefix}:run:${threadId}:${runId}`;
  }
}

function whenReady(client: RedisLike): Promise<void> {
  return client.status === 'ready' ? Promise.resolve() : new Promise((resolve) => client.once('ready', resolve));
}

function createRedis(options: Record<string, unknown>): RedisLike {
  let Redis: new (options: Record<string, unknown>) => RedisLike;
  try {
    Redis = (packageRequire('ioredis') as { Redis: typeof Redis }).Redis;
  } catch {
    throw new CopilotKitConfigurationError("RedisPostgresAgentRunner needs the 'ioredis' package: npm install ioredis");
  }
  return new Redis(options);
}
