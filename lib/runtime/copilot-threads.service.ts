import { Inject, Injectable } from '@nestjs/common';
import type { BaseEvent, Message } from '@ag-ui/core';
import { COPILOTKIT_OPTIONS } from '../config/copilotkit.constants.js';
import type { ResolvedCopilotKitOptions } from '../config/copilotkit-options.resolver.js';
import { InvalidRequestException } from '../errors/invalid-request.exception.js';
import { ThreadBusyException } from '../errors/thread-busy.exception.js';
import { ThreadNotFoundException } from '../errors/thread-not-found.exception.js';
import { compactedRun } from '../protocol/replay.js';
import { messagesFromEvents, stateFromEvents } from '../protocol/thread-messages.js';
import type { ThreadRecord } from '../runners/thread-store.js';
import { assertThreadAccess } from '../runners/thread-owner.js';
import { INVALID_THREAD_ARCHIVED, INVALID_THREAD_LIMIT, INVALID_THREAD_NAME, INVALID_THREAD_NAME_NUL } from './runtime.messages.js';

/** A thread as the CopilotKit client's thread list expects it. */
export interface ThreadSummary {
  id: string;
  name: string | null;
  agentId: string;
  organizationId: string;
  createdById: string;
  archived: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A message as the CopilotKit client's thread view expects it (tool calls flattened). */
export type ThreadMessage = Record<string, unknown> & { id: string; role: string };

/**
 * The caller's threads: list, read (messages, events, state), rename, archive, delete. Every
 * method resolves the caller from the request and only ever touches the caller's own threads;
 * anyone else's thread is answered as not found.
 */
@Injectable()
export class CopilotThreads {
  constructor(@Inject(COPILOTKIT_OPTIONS) private readonly options: ResolvedCopilotKitOptions) {}

  async list(request: unknown, query: { agentId?: string; limit?: string; cursor?: string; includeArchived?: string }) {
    const limit = query.limit === undefined ? 50 : Number(query.limit);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 200) throw new InvalidRequestException(INVALID_THREAD_LIMIT);
    const page = await this.options.runner.listThreads({
      ownerId: await this.options.threadOwner(request),
      agentId: query.agentId || undefined,
      includeArchived: query.includeArchived === 'true',
      limit,
      cursor: query.cursor || undefined,
    });
    return { threads: page.threads.map(summary), nextCursor: page.nextCursor };
  }

  async messages(request: unknown, threadId: string): Promise<{ messages: ThreadMessage[] }> {
    return { messages: messagesFromEvents(await this.events(request, threadId)).map(flatten) };
  }

  async state(request: unknown, threadId: string): Promise<{ state: unknown }> {
    const state = stateFromEvents(await this.events(request, threadId));
    return { state: typeof state === 'object' && state !== null && !Array.isArray(state) ? state : null };
  }

  /** The thread's finished runs, compacted, as `connect` would replay them. */
  async events(request: unknown, threadId: string): Promise<BaseEvent[]> {
    await this.owned(request, threadId);
    const runs = await this.options.runner.history(threadId);
    return runs.flatMap((run) => compactedRun(run).map(({ event }) => event));
  }

  async update(request: unknown, threadId: string, changes: { name?: unknown; archived?: unknown }): Promise<{ thread: ThreadSummary }> {
    await this.owned(request, threadId);
    if (changes.name !== undefined && (typeof changes.name !== 'string' || changes.name.length > 200)) {
      throw new InvalidRequestException(INVALID_THREAD_NAME);
    }
    // PostgreSQL text cannot hold NUL: refused here, the same on every store.
    if (typeof changes.name === 'string' && changes.name.includes('\u0000')) {
      throw new InvalidRequestException(INVALID_THREAD_NAME_NUL);
    }
    if (changes.archived !== undefined && typeof changes.archived !== 'boolean') {
      throw new InvalidRequestException(INVALID_THREAD_ARCHIVED);
    }
    await this.options.runner.updateThread(threadId, {
      name: changes.name as string | undefined,
      archived: changes.archived as boolean | undefined,
    });
    // A DELETE may have come between the update and this read: the thread is gone, not a 500.
    const updated = await this.options.runner.getThread(threadId);
    if (!updated) throw new ThreadNotFoundException(threadId);
    return { thread: summary(updated) };
  }

  async delete(request: unknown, threadId: string): Promise<{ deleted: true }> {
    await this.owned(request, threadId);
    if (await this.options.runner.isRunning({ threadId })) throw new ThreadBusyException(threadId);
    await this.options.runner.deleteThread(threadId);
    return { deleted: true };
  }

  private async owned(request: unknown, threadId: string): Promise<ThreadRecord> {
    const thread = assertThreadAccess(await this.options.runner.getThread(threadId), threadId, await this.options.threadOwner(request));
    if (!thread) throw new ThreadNotFoundException(threadId);
    return thread;
  }
}

function summary(thread: ThreadRecord): ThreadSummary {
  return {
    id: thread.threadId,
    name: thread.name ?? null,
    agentId: thread.agentId,
    organizationId: '',
    createdById: thread.ownerId ?? '',
    archived: thread.archived,
    createdAt: new Date(thread.createdAt).toISOString(),
    updatedAt: new Date(thread.updatedAt).toISOString(),
  };
}

function flatten(message: Message): ThreadMessage {
  if (message.role !== 'assistant' || !message.toolCalls) return message as ThreadMessage;
  const { toolCalls, ...rest } = message;
  return { ...rest, toolCalls: toolCalls.map((call) => ({ id: call.id, name: call.function.name, args: call.function.arguments })) };
}
