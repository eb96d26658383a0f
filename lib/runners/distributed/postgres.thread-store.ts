import type { BaseEvent } from '@ag-ui/core';
import { positiveInteger } from '../runner-options.util.js';
import { decodeThreadCursor } from '../thread-cursor.js';
import {
  runsFromRows,
  THREAD_COLUMNS,
  threadPage,
  threadRecord,
  threadWithRunsFromRows,
  type RunBatchRow,
  type ThreadRow,
  type ThreadRunBatchRow,
} from '../sql-rows.js';
import {
  ThreadStore,
  type BeginRunResult,
  type BegunRun,
  type StoredRun,
  type ThreadPage,
  type ThreadQuery,
  type ThreadRecord,
} from '../thread-store.js';
import { checkSchemaName, migratePostgres } from './postgres.migrations.js';
import { createPgPool, type PgPoolLike } from './pg-client.js';
import { beginStatement } from './postgres-begin.statement.js';
import { PostgresGroupAppend, type PendingAppend } from './postgres-group-append.js';
import { POSTGRES_NOT_OPEN } from '../runners.messages.js';

export interface PostgresThreadStoreOptions {
  /** `pg` Pool options (`connectionString`, `host`, ...), or an existing Pool (not ended by the store). */
  postgres: Record<string, unknown> | PgPoolLike;
  /** The schema holding the tables. Default `copilotkit`. */
  schema?: string;
  /** Run the migrations when the store starts. Default true; see `migratePostgres`. */
  migrate?: boolean;
  /** How long a running run stays locked without its instance renewing it. Default 30 s. */
  leaseMs?: number;
  retention?: { maxThreads?: number; maxAgeMs?: number };
}

/**
 * A batch written again (after a failure) replaces the row of the same first sequence, which holds
 * a prefix of it at most.
 */
const REPLACE_BATCH = 'ON CONFLICT (run_position, from_seq) DO UPDATE SET events = EXCLUDED.events';

/**
 * Threads in PostgreSQL, shared by every instance: durable history, owners, and the per-thread lock
 * (a unique index over running runs, with a lease each instance renews while its run is alive).
 */
export class PostgresThreadStore extends ThreadStore {
  readonly durable = true;
  private connection: PgPoolLike | undefined;
  private readonly ownsPool: boolean;
  private readonly s: string;
  private readonly leaseMs: number;
  private readonly retention: { maxThreads?: number; maxAgeMs?: number };
  private readonly migrate: boolean;
  private readonly appends = new PostgresGroupAppend((group) => this.appendGroup(group));
  private readonly postgres: Record<string, unknown>;
  private opened = false;
  /** The begin statement's two forms, built once: the text goes with every call. */
  private readonly beginSql: { plain: string; andRead: string };

  constructor(options: PostgresThreadStoreOptions) {
    super();
    this.s = checkSchemaName(options.schema ?? 'copilotkit');
    this.beginSql = { plain: beginStatement(this.s, false), andRead: beginStatement(this.s, true) };
    this.leaseMs = positiveInteger('leaseMs', options.leaseMs ?? 30_000);
    this.retention = { ...options.retention };
    const given = options.postgres as Partial<PgPoolLike>;
    this.ownsPool = typeof given?.query !== 'function';
    if (!this.ownsPool) this.connection = given as PgPoolLike;
    this.postgres = options.postgres as Record<string, unknown>;
    this.migrate = options.migrate !== false;
  }

  /** Creates the pool (which connects lazily) and migrates, or checks the connection when `migrate: false`. */
  override async open(): Promise<void> {
    this.connection ??= createPgPool(this.postgres);
    if (this.migrate) await migratePostgres(this.connection, this.s);
    else await this.connection.query('SELECT 1');
    this.opened = true;
  }

  /** One round trip (see `beginStatement`). */
  async beginRun(run: { threadId: string; runId: string; agentId: string; ownerId?: string }): Promise<BeginRunResult> {
    return ((await this.begin(run, false))?.[0].result as BeginRunResult | undefined) ?? 'busy';
  }

  /** One round trip too: the thread and its finished runs come back with the verdict. */
  override async beginRunAndRead(run: { threadId: string; runId: string; agentId: string; ownerId?: string }): Promise<BegunRun> {
    const rows = await this.begin(run, true);
    const result = (rows?.[0].result as BeginRunResult | undefined) ?? 'busy';
    if (result !== 'started') return { result };
    const { thread, runs } = threadWithRunsFromRows(rows as ThreadRunBatchRow[]);
    return { result, thread, finishedRuns: runs };
  }

  /** The begin statement's rows; none when another instance took the thread first. */
  private async begin(
    run: { threadId: string; runId: string; agentId: string; ownerId?: string },
    andRead: boolean,
  ): Promise<Array<Record<string, unknown>> | undefined> {
    const now = Date.now();
    try {
      const { rows } = await this.prepared(andRead ? 'begin_run_and_read' : 'begin_run', this.beginSql[andRead ? 'andRead' : 'plain'], [
        run.threadId,
        run.ownerId ?? null,
        run.agentId,
        now,
        run.runId,
        now + this.leaseMs,
      ]);
      return rows;
    } catch (error) {
      // Another instance took the thread between our check and our insert.
      if ((error as { code?: string }).code === '23505') return undefined;
      throw error;
    }
  }

  /** With the other runs' appends that wait meanwhile, in one statement (see PostgresGroupAppend). */
  async appendEvents(threadId: string, runId: string, fromSeq: number, events: BaseEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.appends.add({ threadId, runId, fromSeq, events });
  }

  /**
   * Many runs' batches in one statement, a row per batch, as four parallel arrays. Not one JSON
   * document: PostgreSQL refuses to take apart JSON holding `\u0000` or a lone surrogate, which an
   * event may hold; a batch's text is stored as `JSON.stringify` made it, never parsed.
   */
  private async appendGroup(appends: PendingAppend[]): Promise<void> {
    if (appends.length === 1) return this.appendBatch(appends[0]);
    await this.prepared(
      'append_group',
      `INSERT INTO ${this.s}.event_batches (run_position, from_seq, events)
       SELECT r.position, b.from_seq, b.events
       FROM unnest($1::text[], $2::text[], $3::int[], $4::text[]) AS b(thread_id, run_id, from_seq, events)
         JOIN ${this.s}.runs r ON r.thread_id = b.thread_id AND r.run_id = b.run_id
       ${REPLACE_BATCH}`,
      [
        appends.map((append) => append.threadId),
        appends.map((append) => append.runId),
        appends.map((append) => append.fromSeq),
        appends.map((append) => JSON.stringify(append.events)),
      ],
    );
  }

  private async appendBatch({ threadId, runId, fromSeq, events }: PendingAppend): Promise<void> {
    await this.prepared(
      'append_events',
      `INSERT INTO ${this.s}.event_batches (run_position, from_seq, events)
       SELECT position, $3, $4 FROM ${this.s}.runs WHERE thread_id = $1 AND run_id = $2
       ${REPLACE_BATCH}`,
      [threadId, runId, fromSeq, JSON.stringify(events)],
    );
  }

  /** Touches no events, so a run is released even when its events can no longer be written. */
  async endRun(threadId: string, runId: string): Promise<void> {
    await this.prepared(
      'end_run',
      `WITH ended AS (UPDATE ${this.s}.runs SET status = 'finished', lease_expires_at = NULL WHERE thread_id = $1 AND run_id = $2)
       UPDATE ${this.s}.threads SET updated_at = $3 WHERE id = $1`,
      [threadId, runId, Date.now()],
    );
  }

  /** One statement: the last events, the run's end and the thread's `updated_at` commit together. */
  override async finishRun(threadId: string, runId: string, fromSeq: number, events: BaseEvent[]): Promise<void> {
    await this.prepared(
      'finish_run',
      `WITH ended AS (
         UPDATE ${this.s}.runs SET status = 'finished', lease_expires_at = NULL WHERE thread_id = $1 AND run_id = $2 RETURNING position
       ), stored AS (
         INSERT INTO ${this.s}.event_batches (run_position, from_seq, events)
         SELECT position, $3, $4 FROM ended WHERE $4::text IS NOT NULL
         ${REPLACE_BATCH}
       )
       UPDATE ${this.s}.threads SET updated_at = $5 WHERE id = $1`,
      [threadId, runId, fromSeq, events.length > 0 ? JSON.stringify(events) : null, Date.now()],
    );
  }

  async getThread(threadId: string): Promise<ThreadRecord | undefined> {
    const { rows } = await this.pool.query(`SELECT * FROM ${this.s}.threads WHERE id = $1`, [threadId]);
    return rows[0] && threadRecord(rows[0] as ThreadRow);
  }

  async getRuns(threadId: string): Promise<StoredRun[]> {
    const { rows } = await this.pool.query(
      `SELECT r.position, r.run_id, r.agent_id, r.status, r.started_at, b.events
       FROM ${this.s}.runs r LEFT JOIN ${this.s}.event_batches b ON b.run_position = r.position
       WHERE r.thread_id = $1 ORDER BY r.position, b.from_seq`,
      [threadId],
    );
    return runsFromRows(rows as RunBatchRow[]);
  }

  /** One query, the thread's columns repeated on each of its runs' batches. */
  override async getThreadWithRuns(threadId: string): Promise<{ thread: ThreadRecord | undefined; runs: StoredRun[] }> {
    const { rows } = await this.prepared(
      'thread_with_runs',
      `SELECT ${THREAD_COLUMNS.map((column) => `t.${column} AS thread_${column}`).join(', ')},
         r.position, r.run_id, r.agent_id, r.status, r.started_at, b.events
       FROM ${this.s}.threads t
         LEFT JOIN ${this.s}.runs r ON r.thread_id = t.id
         LEFT JOIN ${this.s}.event_batches b ON b.run_position = r.position
       WHERE t.id = $1 ORDER BY r.position, b.from_seq`,
      [threadId],
    );
    return threadWithRunsFromRows(rows as ThreadRunBatchRow[]);
  }

  async listThreads(query: ThreadQuery): Promise<ThreadPage> {
    const after = decodeThreadCursor(query.cursor);
    const { rows } = await this.pool.query(
      `SELECT * FROM ${this.s}.threads
       WHERE owner_id IS NOT DISTINCT FROM $1 AND ($2::text IS NULL OR agent_id = $2) AND ($3 OR NOT archived)
         AND ($4::bigint IS NULL OR updated_at < $4 OR (updated_at = $4 AND id > $5))
       ORDER BY updated_at DESC, id LIMIT $6`,
      [
        query.ownerId ?? null,
        query.agentId ?? null,
        query.includeArchived ?? false,
        after?.updatedAt ?? null,
        after?.id ?? '',
        query.limit + 1,
      ],
    );
    return threadPage(rows as ThreadRow[], query.limit);
  }

  async updateThread(threadId: string, changes: { name?: string; archived?: boolean }): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.s}.threads SET name = COALESCE($2, name), archived = COALESCE($3, archived), updated_at = $4 WHERE id = $1`,
      [threadId, changes.name ?? null, changes.archived ?? null, Date.now()],
    );
  }

  async deleteThread(threadId: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.s}.threads WHERE id = $1`, [threadId]);
  }

  override async renewLeases(runs: ReadonlyArray<{ threadId: string; runId: string }>): Promise<void> {
    if (runs.length === 0) return;
    await this.pool.query(
      `UPDATE ${this.s}.runs SET lease_expires_at = $1
       WHERE status = 'running' AND (thread_id, run_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
      [Date.now() + this.leaseMs, runs.map((r) => r.threadId), runs.map((r) => r.runId)],
    );
  }

  override async expiredRuns(threadId?: string): Promise<Array<{ threadId: string; runId: string }>> {
    const { rows } = await this.pool.query(
      `SELECT thread_id, run_id FROM ${this.s}.runs WHERE status = 'running' AND lease_expires_at < $1 AND ($2::text IS NULL OR thread_id = $2)`,
      [Date.now(), threadId ?? null],
    );
    return rows.map((row: { thread_id: string; run_id: string }) => ({ threadId: row.thread_id, runId: row.run_id }));
  }

  override async applyRetention(): Promise<void> {
    const idle = `NOT EXISTS (SELECT 1 FROM ${this.s}.runs r WHERE r.thread_id = t.id AND r.status = 'running')`;
    if (this.retention.maxAgeMs !== undefined) {
      await this.pool.query(`DELETE FROM ${this.s}.threads t WHERE updated_at < $1 AND ${idle}`, [Date.now() - this.retention.maxAgeMs]);
    }
    if (this.retention.maxThreads !== undefined) {
      await this.pool.query(
        `DELETE FROM ${this.s}.threads t WHERE ${idle} AND id IN (SELECT id FROM ${this.s}.threads ORDER BY updated_at DESC, id OFFSET $1)`,
        [this.retention.maxThreads],
      );
    }
  }

  override async close(): Promise<void> {
    const pool = this.connection;
    this.opened = false;
    if (this.ownsPool && pool) {
      this.connection = undefined;
      await pool.end();
    }
  }

  /**
   * The statements every run executes, prepared once per connection: PostgreSQL then skips parsing
   * and planning them, which is most of what they cost it. Named per schema, since two stores may
   * share a pool.
   */
  private prepared(name: string, text: string, values: unknown[]) {
    return this.pool.query({ name: `copilotkit_${this.s}_${name}`, text, values });
  }

  private get pool(): PgPoolLike {
    if (!this.connection || !this.opened) throw new Error(POSTGRES_NOT_OPEN);
    return this.connection;
  }
}
