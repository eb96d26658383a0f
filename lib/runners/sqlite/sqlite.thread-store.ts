import type { BaseEvent } from '@ag-ui/core';
import { positiveInteger } from '../runner-options.util.js';
import { decodeThreadCursor } from '../thread-cursor.js';
import { runsFromRows, threadPage, threadRecord, type RunBatchRow, type ThreadRow } from '../sql-rows.js';
import {
  ThreadStore,
  type BeginRunResult,
  type BegunRun,
  type StoredRun,
  type ThreadPage,
  type ThreadQuery,
  type ThreadRecord,
} from '../thread-store.js';
import { migrateSqlite } from './sqlite.migrations.js';
import { openDatabase, type AnyFunction, type SqliteDatabaseLike, type SqliteTransactionLike, type Statement } from './sqlite-database.js';
import { GroupCommit } from './group-commit.js';
import { SQLITE_NOT_OPEN } from '../runners.messages.js';

export interface SqliteThreadStoreOptions {
  /** The database file, created if missing. Default `copilotkit.sqlite`. */
  path?: string;
  /** An open `better-sqlite3` database instead of a path (it is not closed by the store). */
  database?: SqliteDatabaseLike;
  /**
   * This process is the only one using the file (the usual case for an embedded database): at
   * start, every run still marked running was cut off by a crash and is recovered at once. With
   * `false`, runs are recovered when their lease runs out. Default true.
   */
  exclusive?: boolean;
  /** How long a running run stays locked without its process renewing it. Default 30 s. */
  leaseMs?: number;
  /** Retention, applied at start and every 10 minutes; what is older or beyond the count is deleted. */
  retention?: { maxThreads?: number; maxAgeMs?: number };
}

/**
 * Threads in one SQLite file (better-sqlite3, WAL): every event is written as it happens, so a
 * restart loses nothing; the one-running-run-per-thread lock is a unique index, and a run cut off
 * by a crash is closed on recovery instead of locking its thread forever.
 */
export class SqliteThreadStore extends ThreadStore {
  readonly durable = true;
  private database: SqliteDatabaseLike | undefined;
  private readonly ownsDatabase: boolean;
  private readonly path: string;
  private readonly leaseMs: number;
  private recoverAll: boolean;
  private migrated = false;
  private readonly statements = new Map<string, Statement>();
  private readonly transactions = new Map<string, SqliteTransactionLike<AnyFunction>>();
  // Immediate: a write that reads first (taking a thread does) must not wait for the write lock
  // midway, where another process holding it would fail it at once instead of after busy_timeout.
  private readonly writes = new GroupCommit((writes) =>
    this.transaction('writes', (all: Array<() => unknown>) => all.map((write) => write())).immediate(writes),
  );
  private readonly retention: { maxThreads?: number; maxAgeMs?: number };

  constructor(options: SqliteThreadStoreOptions = {}) {
    super();
    this.leaseMs = positiveInteger('leaseMs', options.leaseMs ?? 30_000);
    this.recoverAll = options.exclusive ?? true;
    this.retention = { ...options.retention };
    if (this.retention.maxThreads !== undefined) positiveInteger('retention.maxThreads', this.retention.maxThreads);
    if (this.retention.maxAgeMs !== undefined) positiveInteger('retention.maxAgeMs', this.retention.maxAgeMs);
    this.ownsDatabase = !options.database;
    this.database = options.database;
    this.path = options.path ?? 'copilotkit.sqlite';
  }

  /** Opens the file (created if missing) and migrates it; a file that cannot be opened now is retried by the runner. */
  override async open(): Promise<void> {
    if (this.database && this.migrated) return;
    const db = this.database ?? openDatabase(this.path);
    try {
      db.pragma('journal_mode = WAL');
      // WAL + NORMAL survives a process crash (not a power cut) at a fraction of FULL's cost.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      migrateSqlite(db);
    } catch (error) {
      if (this.ownsDatabase) db.close();
      throw error;
    }
    this.statements.clear();
    this.transactions.clear();
    this.database = db;
    this.migrated = true;
  }

  /** Committed with the other writes of this turn (see GroupCommit): the verdict holds once committed. */
  async beginRun(run: { threadId: string; runId: string; agentId: string; ownerId?: string }): Promise<BeginRunResult> {
    const now = Date.now();
    return this.writes.add(() => this.takeThread(run, now));
  }

  /** The begin and the read in the same group commit: the read sees the database as the begin left it. */
  override async beginRunAndRead(run: { threadId: string; runId: string; agentId: string; ownerId?: string }): Promise<BegunRun> {
    const now = Date.now();
    return this.writes.add((): BegunRun => {
      const result = this.takeThread(run, now);
      if (result !== 'started') return { result };
      const finishedRuns = this.readRuns(run.threadId).filter((stored) => stored.status === 'finished');
      return { result, thread: this.readThread(run.threadId), finishedRuns };
    });
  }

  /** Committed with every other run's writes of this turn (see GroupCommit). */
  async appendEvents(threadId: string, runId: string, fromSeq: number, events: BaseEvent[]): Promise<void> {
    return this.writes.add(() => this.insertEvents(threadId, runId, fromSeq, events));
  }

  async endRun(threadId: string, runId: string): Promise<void> {
    return this.writes.add(() => this.markFinished(threadId, runId));
  }

  /** The last events, the run's end and the thread's `updated_at`, in this turn's one commit. */
  override async finishRun(threadId: string, runId: string, fromSeq: number, events: BaseEvent[]): Promise<void> {
    return this.writes.add(() => {
      this.insertEvents(threadId, runId, fromSeq, events);
      this.markFinished(threadId, runId);
    });
  }

  async getThread(threadId: string): Promise<ThreadRecord | undefined> {
    this.writes.flush();
    return this.readThread(threadId);
  }

  async getRuns(threadId: string): Promise<StoredRun[]> {
    this.writes.flush();
    return this.readRuns(threadId);
  }

  /** Both reads at once, so no write of another run lands between them. */
  override async getThreadWithRuns(threadId: string): Promise<{ thread: ThreadRecord | undefined; runs: StoredRun[] }> {
    this.writes.flush();
    return this.transaction('read', (id: string) => ({ thread: this.readThread(id), runs: this.readRuns(id) }))(threadId);
  }

  async listThreads(query: ThreadQuery): Promise<ThreadPage> {
    this.writes.flush();
    const after = decodeThreadCursor(query.cursor);
    const rows = this.sql(
      `SELECT * FROM threads
         WHERE owner_id IS ? AND (? IS NULL OR agent_id = ?) AND (? OR archived = 0)
           AND (? IS NULL OR updated_at < ? OR (updated_at = ? AND id > ?))
         ORDER BY updated_at DESC, id LIMIT ?`,
    ).all(
      query.ownerId ?? null,
      query.agentId ?? null,
      query.agentId ?? null,
      query.includeArchived ? 1 : 0,
      after?.updatedAt ?? null,
      after?.updatedAt ?? null,
      after?.updatedAt ?? null,
      after?.id ?? null,
      query.limit + 1,
    ) as ThreadRow[];
    return threadPage(rows, query.limit);
  }

  async updateThread(threadId: string, changes: { name?: string; archived?: boolean }): Promise<void> {
    this.writes.flush();
    this.sql('UPDATE threads SET name = COALESCE(?, name), archived = COALESCE(?, archived), updated_at = ? WHERE id = ?').run(
      changes.name ?? null,
      changes.archived === undefined ? null : Number(changes.archived),
      Date.now(),
      threadId,
    );
  }

  async deleteThread(threadId: string): Promise<void> {
    this.writes.flush();
    this.sql('DELETE FROM threads WHERE id = ?').run(threadId);
  }

  override async renewLeases(runs: ReadonlyArray<{ threadId: string; runId: string }>): Promise<void> {
    this.writes.flush();
    const renew = this.sql("UPDATE runs SET lease_expires_at = ? WHERE thread_id = ? AND run_id = ? AND status = 'running'");
    const until = Date.now() + this.leaseMs;
    this.db.transaction(() => runs.forEach((run) => renew.run(until, run.threadId, run.runId)))();
  }

  override async expiredRuns(threadId?: string): Promise<Array<{ threadId: string; runId: string }>> {
    this.writes.flush();
    // Right after opening an exclusively used file, whatever is running was cut off by a crash.
    const cutoff = this.recoverAll ? Number.MAX_SAFE_INTEGER : Date.now();
    this.recoverAll = false;
    const rows = this.sql(
      "SELECT thread_id, run_id FROM runs WHERE status = 'running' AND lease_expires_at < ? AND (? IS NULL OR thread_id = ?)",
    ).all(cutoff, threadId ?? null, threadId ?? null) as Array<{ thread_id: string; run_id: string }>;
    return rows.map((row) => ({ threadId: row.thread_id, runId: row.run_id }));
  }

  override async applyRetention(): Promise<void> {
    this.writes.flush();
    const idle = "NOT EXISTS (SELECT 1 FROM runs r WHERE r.thread_id = threads.id AND r.status = 'running')";
    if (this.retention.maxAgeMs !== undefined) {
      this.sql(`DELETE FROM threads WHERE updated_at < ? AND ${idle}`).run(Date.now() - this.retention.maxAgeMs);
    }
    if (this.retention.maxThreads !== undefined) {
      this.sql(`DELETE FROM threads WHERE ${idle} AND id IN (SELECT id FROM threads ORDER BY updated_at DESC, id LIMIT -1 OFFSET ?)`).run(
        this.retention.maxThreads,
      );
    }
  }

  override async close(): Promise<void> {
    this.writes.flush();
    this.statements.clear();
    this.transactions.clear();
    if (this.ownsDatabase) {
      this.database?.close();
      this.database = undefined;
    }
    this.migrated = false;
  }

  private readThread(threadId: string): ThreadRecord | undefined {
    const row = this.sql('SELECT * FROM threads WHERE id = ?').get(threadId) as ThreadRow | undefined;
    return row && threadRecord(row);
  }

  private readRuns(threadId: string): StoredRun[] {
    const rows = this.sql(
      `SELECT r.position, r.run_id, r.agent_id, r.status, r.started_at, b.events
         FROM runs r LEFT JOIN event_batches b ON b.run_position = r.position
         WHERE r.thread_id = ? ORDER BY r.position, b.from_seq`,
    ).all(threadId) as RunBatchRow[];
    return runsFromRows(rows);
  }

  /**
   * Inside a transaction, atomically: creates the thread if new, refuses it when it belongs to
   * someone else or another run holds it, else records the run as running.
   */
  private takeThread(run: { threadId: string; runId: string; agentId: string; ownerId?: string }, now: number): BeginRunResult {
    const thread = this.sql('SELECT owner_id FROM threads WHERE id = ?').get(run.threadId) as { owner_id: string | null } | undefined;
    if (thread) {
      if (thread.owner_id !== null && thread.owner_id !== run.ownerId) return 'not-owner';
      if (this.sql("SELECT 1 FROM runs WHERE thread_id = ? AND status = 'running'").get(run.threadId)) return 'busy';
      if (this.sql('SELECT 1 FROM runs WHERE thread_id = ? AND run_id = ?').get(run.threadId, run.runId)) return 'duplicate-run';
      this.sql('UPDATE threads SET updated_at = ? WHERE id = ?').run(now, run.threadId);
    } else {
      // A new thread has no runs to check.
      this.sql('INSERT INTO threads (id, owner_id, agent_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(
        run.threadId,
        run.ownerId ?? null,
        run.agentId,
        now,
        now,
      );
    }
    this.sql("INSERT INTO runs (thread_id, run_id, agent_id, status, lease_expires_at, started_at) VALUES (?, ?, ?, 'running', ?, ?)").run(
      run.threadId,
      run.runId,
      run.agentId,
      now + this.leaseMs,
      now,
    );
    return 'started';
  }

  /** Inside a transaction: the run is over, which releases its thread. */
  private markFinished(threadId: string, runId: string): void {
    this.sql("UPDATE runs SET status = 'finished', lease_expires_at = NULL WHERE thread_id = ? AND run_id = ?").run(threadId, runId);
    this.sql('UPDATE threads SET updated_at = ? WHERE id = ?').run(Date.now(), threadId);
  }

  /**
   * Inside a transaction: a batch of a run's events as one row, unless the run is gone (its thread
   * deleted meanwhile). Writing a batch again (after a failure) replaces the row of the same first
   * sequence, which holds a prefix of it at most.
   */
  private insertEvents(threadId: string, runId: string, fromSeq: number, events: readonly BaseEvent[]): void {
    if (events.length === 0) return;
    this.sql(
      'INSERT OR REPLACE INTO event_batches (run_position, from_seq, events) SELECT position, ?, ? FROM runs WHERE thread_id = ? AND run_id = ?',
    ).run(fromSeq, JSON.stringify(events), threadId, runId);
  }

  /**
   * The transaction running `work`, made once per open database under `name`: making one costs
   * more than running most of these. `work` takes everything it needs as arguments.
   */
  private transaction<F extends AnyFunction>(name: string, work: F): SqliteTransactionLike<F> {
    let transaction = this.transactions.get(name) as SqliteTransactionLike<F> | undefined;
    if (!transaction) {
      transaction = this.db.transaction(work.bind(this) as F);
      this.transactions.set(name, transaction as unknown as SqliteTransactionLike<AnyFunction>);
    }
    return transaction;
  }

  /**
   * The statement for `sql`, prepared once per open database: preparing costs more than running
   * most of these, and a run executes several per batch of events.
   */
  private sql(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private get db(): SqliteDatabaseLike {
    if (!this.database || !this.migrated) throw new Error(SQLITE_NOT_OPEN(this.path));
    return this.database;
  }
}
