import type { BaseEvent } from '@ag-ui/core';
import { Logger } from '@nestjs/common';
import { positiveInteger } from './runner-options.util.js';
import { ThreadStore, type BeginRunResult, type StoredRun, type ThreadPage, type ThreadQuery, type ThreadRecord } from './thread-store.js';
import { decodeThreadCursor, encodeThreadCursor } from './thread-cursor.js';
import { MAX_THREADS_REACHED } from './runners.messages.js';

export interface InMemoryThreadStoreOptions {
  /** Threads kept; beyond it the least recently used idle thread is forgotten. Default 1000. */
  maxThreads?: number;
  /** Runs kept per thread; beyond it the oldest run is forgotten. Default 100. */
  maxRunsPerThread?: number;
}

interface Entry {
  thread: ThreadRecord;
  runs: StoredRun[];
}

/** Threads in this process's memory, bounded, least recently used forgotten first. */
export class InMemoryThreadStore extends ThreadStore {
  private readonly logger = new Logger(InMemoryThreadStore.name);
  readonly durable = false;
  private readonly maxThreads: number;
  private readonly maxRunsPerThread: number;
  /** Map order doubles as recency order: a used thread is moved to the end. */
  private readonly entries = new Map<string, Entry>();
  private evictionLogged = false;

  constructor(options: InMemoryThreadStoreOptions = {}) {
    super();
    this.maxThreads = positiveInteger('maxThreads', options.maxThreads ?? 1000);
    this.maxRunsPerThread = positiveInteger('maxRunsPerThread', options.maxRunsPerThread ?? 100);
  }

  async beginRun(run: { threadId: string; runId: string; agentId: string; ownerId?: string }): Promise<BeginRunResult> {
    const now = Date.now();
    const entry = this.entries.get(run.threadId) ?? {
      thread: { threadId: run.threadId, ownerId: run.ownerId, agentId: run.agentId, archived: false, createdAt: now, updatedAt: now },
      runs: [],
    };
    if (entry.thread.ownerId !== undefined && entry.thread.ownerId !== run.ownerId) return 'not-owner';
    if (entry.runs.some((r) => r.status === 'running')) return 'busy';
    if (entry.runs.some((r) => r.runId === run.runId)) return 'duplicate-run';
    entry.runs.push({ runId: run.runId, agentId: run.agentId, status: 'running', events: [], startedAt: now });
    entry.thread.updatedAt = now;
    this.entries.delete(run.threadId);
    this.entries.set(run.threadId, entry);
    this.evict();
    return 'started';
  }

  async appendEvents(threadId: string, runId: string, fromSeq: number, events: BaseEvent[]): Promise<void> {
    const run = this.entries.get(threadId)?.runs.find((r) => r.runId === runId);
    if (run) run.events.splice(fromSeq, events.length, ...events);
  }

  async endRun(threadId: string, runId: string): Promise<void> {
    const entry = this.entries.get(threadId);
    const run = entry?.runs.find((r) => r.runId === runId);
    if (!entry || !run) return;
    run.status = 'finished';
    entry.thread.updatedAt = Date.now();
    if (entry.runs.length > this.maxRunsPerThread) entry.runs.splice(0, entry.runs.length - this.maxRunsPerThread);
    this.evict();
  }

  async getThread(threadId: string): Promise<ThreadRecord | undefined> {
    return this.entries.get(threadId)?.thread;
  }

  async getRuns(threadId: string): Promise<StoredRun[]> {
    return [...(this.entries.get(threadId)?.runs ?? [])];
  }

  async listThreads(query: ThreadQuery): Promise<ThreadPage> {
    const matching = [...this.entries.values()]
      .map((entry) => entry.thread)
      .filter(
        (t) => t.ownerId === query.ownerId && (!query.agentId || t.agentId === query.agentId) && (query.includeArchived || !t.archived),
      )
      .sort((a, b) => b.updatedAt - a.updatedAt || (a.threadId < b.threadId ? -1 : 1));
    // The same keyset cursor as the SQL stores: a thread updated between two pages moves to the top
    // instead of shifting what the next page holds.
    const after = decodeThreadCursor(query.cursor);
    const rest = after
      ? matching.filter((t) => t.updatedAt < after.updatedAt || (t.updatedAt === after.updatedAt && t.threadId > after.id))
      : matching;
    const threads = rest.slice(0, query.limit);
    const last = threads.at(-1);
    return { threads, nextCursor: rest.length > query.limit && last ? encodeThreadCursor(last) : null };
  }

  async updateThread(threadId: string, changes: { name?: string; archived?: boolean }): Promise<void> {
    const thread = this.entries.get(threadId)?.thread;
    if (!thread) return;
    if (changes.name !== undefined) thread.name = changes.name;
    if (changes.archived !== undefined) thread.archived = changes.archived;
    thread.updatedAt = Date.now();
  }

  async deleteThread(threadId: string): Promise<void> {
    this.entries.delete(threadId);
  }

  private evict(): void {
    if (this.entries.size <= this.maxThreads) return;
    for (const [threadId, entry] of this.entries) {
      if (this.entries.size <= this.maxThreads) break;
      if (!entry.runs.some((r) => r.status === 'running')) this.entries.delete(threadId);
    }
    if (!this.evictionLogged) {
      this.evictionLogged = true;
      this.logger.warn(MAX_THREADS_REACHED(this.maxThreads));
    }
  }
}
