import type { ErrorInfo, ExecutionState } from '@nanofaas/contracts';
import type { Database, Statement } from 'better-sqlite3';
import type {
  ExecutionKind,
  ExecutionRecord,
  WritableExecutionRecord,
} from '../executions/execution-record.js';
import type { WriteBatcher } from './write-batcher.js';

interface ExecutionRow {
  id: string;
  function_name: string;
  kind: ExecutionKind;
  status: ExecutionState;
  attempt: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  /** JSON bytes as the function wrote them (BLOB; TEXT in rows written before). */
  output: Buffer | string | null;
  error: string | null;
  cold_start: number | null;
  init_duration_ms: number | null;
  trace_id: string;
  /** The InvocationRequest JSON bytes (BLOB; TEXT in rows written before); not read by lists. */
  request?: Buffer | string | null;
  callback_url: string | null;
}

/** Every column but `request`: a list never loads the stored inputs (up to the body limit each). */
const SUMMARY_COLUMNS =
  'id, function_name, kind, status, attempt, created_at, started_at, finished_at, output, error, cold_start, init_duration_ms, trace_id, callback_url';

export interface ExecutionQuery {
  readonly functionName?: string;
  readonly status?: ExecutionState;
  /** Created at or after this (epoch ms). */
  readonly createdFrom?: number;
  /** Created before this (epoch ms). */
  readonly createdUntil?: number;
  /** Keyset paging: only executions listed after this one (newest first). */
  readonly after?: { readonly createdAt: number; readonly id: string };
  readonly limit: number;
}

/** What the stats API reads of one execution. */
export interface ExecutionSample {
  readonly id: string;
  readonly functionName: string;
  readonly status: ExecutionState;
  readonly createdAt: number;
  readonly startedAt: number | undefined;
  readonly finishedAt: number | undefined;
  readonly coldStart: boolean;
}

/**
 * Executions in SQLite. Async executions are inserted (and committed) when enqueued, then updated;
 * sync executions are written once, when they end (a restart loses nothing a caller still waits for).
 * Terminal rows are never rewritten: every update is fenced on a non-terminal status. The state
 * writes (insertQueued, markRunning, markRequeued, finish, recoverActive) come from ExecutionTracker
 * only, the owner of the execution state machine.
 */
export class ExecutionStore {
  private readonly insertStatement: Statement;
  private readonly runningStatement: Statement;
  private readonly requeueStatement: Statement;
  private readonly finishStatement: Statement;
  private readonly getStatement: Statement<[string], ExecutionRow>;
  private readonly webhookDoneStatement: Statement;

  constructor(
    private readonly db: Database,
    private readonly writes: WriteBatcher,
    private readonly ttlMs: number,
  ) {
    // Positional parameters: binding by name costs a string lookup per column on every row.
    this.insertStatement = db.prepare(
      `INSERT INTO executions (id, function_name, kind, status, attempt, created_at, started_at, finished_at,
         output, error, cold_start, trace_id, request, callback_url, webhook_pending, expires_at,
         init_duration_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.runningStatement = db.prepare(
      `UPDATE executions SET status = 'running', attempt = ?, started_at = coalesce(started_at, ?)
       WHERE id = ? AND status IN ('queued', 'running')`,
    );
    this.requeueStatement = db.prepare(
      `UPDATE executions SET status = 'queued', attempt = ? WHERE id = ? AND status IN ('queued', 'running')`,
    );
    this.finishStatement = db.prepare(
      `UPDATE executions SET status = ?, attempt = ?, started_at = ?, finished_at = ?, output = ?, error = ?,
         cold_start = ?, webhook_pending = ?, expires_at = ?, init_duration_ms = ?
       WHERE id = ? AND status IN ('queued', 'running')`,
    );
    this.getStatement = db.prepare('SELECT * FROM executions WHERE id = ?');
    this.webhookDoneStatement = db.prepare('UPDATE executions SET webhook_pending = 0 WHERE id = ?');
  }

  /** Commits a new async execution; resolves once it is durable. */
  insertQueued(record: ExecutionRecord, extraWrite?: () => void): Promise<void> {
    const values = this.insertValues(record);
    return this.writes.commit(() => {
      this.insertStatement.run(values);
      extraWrite?.();
    });
  }

  markRunning(record: ExecutionRecord): void {
    if (record.kind !== 'async') return;
    const { attempt, startedAt, id } = record;
    this.writes.defer(() => this.runningStatement.run(attempt, startedAt ?? null, id));
  }

  markRequeued(record: ExecutionRecord): void {
    if (record.kind !== 'async') return;
    const { attempt, id } = record;
    this.writes.defer(() => this.requeueStatement.run(attempt, id));
  }

  /** Records the final state in the next batch; `onCommitted` runs once it is committed. */
  finish(record: ExecutionRecord, onCommitted: () => void): void {
    // A sync execution's row is written once, when it ends.
    const statement = record.kind === 'sync' ? this.insertStatement : this.finishStatement;
    const values = record.kind === 'sync' ? this.insertValues(record) : this.finishValues(record);
    this.writes.defer(() => statement.run(values), onCommitted);
  }

  markWebhookDelivered(id: string): void {
    this.writes.defer(() => this.webhookDoneStatement.run(id));
  }

  get(id: string): ExecutionRecord | undefined {
    const row = this.getStatement.get(id);
    return row ? fromRow(row) : undefined;
  }

  list(query: ExecutionQuery): ExecutionRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.functionName !== undefined) {
      where.push('function_name = ?');
      params.push(query.functionName);
    }
    if (query.status !== undefined) {
      where.push('status = ?');
      params.push(query.status);
    }
    if (query.createdFrom !== undefined) {
      where.push('created_at >= ?');
      params.push(query.createdFrom);
    }
    if (query.createdUntil !== undefined) {
      where.push('created_at < ?');
      params.push(query.createdUntil);
    }
    if (query.after !== undefined) {
      where.push('(created_at < ? OR (created_at = ? AND id < ?))');
      params.push(query.after.createdAt, query.after.createdAt, query.after.id);
    }
    const sql = `SELECT ${SUMMARY_COLUMNS} FROM executions ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...params, query.limit) as ExecutionRow[]).map(fromRow);
  }

  /**
   * The executions created at or after `fromMs`, newest first, at most `limit` (the stats API's
   * bounded read: only the columns it needs, through the created_at index).
   */
  samples(fromMs: number, functionName: string | undefined, limit: number): ExecutionSample[] {
    const byFunction = functionName === undefined ? '' : 'AND function_name = ?';
    const rows = this.db
      .prepare(
        `SELECT id, function_name, status, created_at, started_at, finished_at, cold_start FROM executions
         WHERE created_at >= ? ${byFunction} ORDER BY created_at DESC LIMIT ?`,
      )
      .all(...(functionName === undefined ? [fromMs, limit] : [fromMs, functionName, limit])) as Array<
      Pick<
        ExecutionRow,
        'id' | 'function_name' | 'status' | 'created_at' | 'started_at' | 'finished_at' | 'cold_start'
      >
    >;
    return rows.map((row) => ({
      id: row.id,
      functionName: row.function_name,
      status: row.status,
      createdAt: row.created_at,
      startedAt: row.started_at ?? undefined,
      finishedAt: row.finished_at ?? undefined,
      coldStart: row.cold_start === 1,
    }));
  }

  /**
   * Startup recovery (at-least-once): every unfinished execution goes back to queued with attempt+1;
   * returns them oldest first. Queued ones are bumped too: the write that marks an execution
   * running is batched, so one the last process dispatched may still read "queued" after a crash —
   * bumping every one keeps the next attempt above any that may have run (numbers may be skipped,
   * never reused; docs/lifecycle.md, "Recovery").
   */
  /** Attempts that were running when the control plane stopped (read before recoverActive). */
  runningAttempts(): Map<string, number> {
    const rows = this.db
      .prepare(`SELECT id, attempt FROM executions WHERE status = 'running'`)
      .all() as Array<{
      id: string;
      attempt: number;
    }>;
    return new Map(rows.map((row) => [row.id, row.attempt]));
  }

  /**
   * Startup recovery (at-least-once): every unfinished execution goes back to queued with attempt+1;
   * returns them oldest first. Queued ones are raised too: the write that marks an execution
   * running is batched, so one the last process dispatched may still read "queued" after a crash
   * (numbers may be skipped, never reused; docs/lifecycle.md, "Recovery").
   */
  recoverActive(): ExecutionRecord[] {
    return this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE executions SET status = 'queued', attempt = attempt + 1 WHERE status IN ('queued', 'running')`,
        )
        .run();
      const rows = this.db
        .prepare(`SELECT * FROM executions WHERE status = 'queued' ORDER BY created_at, id`)
        .all() as ExecutionRow[];
      return rows.map(fromRow);
    })();
  }

  /** Finished async executions whose webhook was not yet delivered. */
  pendingWebhooks(): ExecutionRecord[] {
    const rows = this.db
      .prepare(`SELECT ${SUMMARY_COLUMNS} FROM executions WHERE webhook_pending = 1 ORDER BY finished_at`)
      .all() as ExecutionRow[];
    return rows.map(fromRow);
  }

  /** Deletes finished executions past their TTL; returns how many. */
  sweep(now: number): number {
    return this.db.prepare('DELETE FROM executions WHERE expires_at IS NOT NULL AND expires_at < ?').run(now)
      .changes;
  }

  /** insertStatement's values, in its column order. */
  private insertValues(record: ExecutionRecord): unknown[] {
    const finished = record.finishedAt !== undefined;
    return [
      record.id,
      record.functionName,
      record.kind,
      record.status,
      record.attempt,
      record.createdAt,
      record.startedAt ?? null,
      record.finishedAt ?? null,
      outputText(record),
      errorText(record),
      coldStartValue(record),
      record.traceId,
      record.request ?? null,
      record.callbackUrl ?? null,
      finished && record.callbackUrl ? 1 : 0,
      finished ? record.finishedAt! + this.ttlMs : null,
      record.initDurationMs ?? null,
    ];
  }

  /** finishStatement's values, in its parameter order (the record has ended). */
  private finishValues(record: ExecutionRecord): unknown[] {
    return [
      record.status,
      record.attempt,
      record.startedAt ?? null,
      record.finishedAt ?? null,
      outputText(record),
      errorText(record),
      coldStartValue(record),
      record.callbackUrl ? 1 : 0,
      record.finishedAt! + this.ttlMs,
      record.initDurationMs ?? null,
      record.id,
    ];
  }
}

const NULL_OUTPUT = Buffer.from('null');

/** The output bytes as a BLOB: stored and read back without a decode or encode. */
function outputText(record: ExecutionRecord): Buffer | null {
  if (record.status !== 'success') return null;
  return record.output ?? NULL_OUTPUT;
}

function bytesOf(value: Buffer | string): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

function errorText(record: ExecutionRecord): string | null {
  return record.error ? JSON.stringify(record.error) : null;
}

function coldStartValue(record: ExecutionRecord): number | null {
  return record.coldStart === undefined ? null : record.coldStart ? 1 : 0;
}

function fromRow(row: ExecutionRow): ExecutionRecord {
  const record: WritableExecutionRecord = {
    id: row.id,
    functionName: row.function_name,
    kind: row.kind,
    status: row.status,
    attempt: row.attempt,
    createdAt: row.created_at,
    traceId: row.trace_id,
  };
  if (row.started_at !== null) record.startedAt = row.started_at;
  if (row.finished_at !== null) record.finishedAt = row.finished_at;
  if (row.output !== null) record.output = bytesOf(row.output);
  if (row.error !== null) record.error = JSON.parse(row.error) as ErrorInfo;
  if (row.cold_start !== null) record.coldStart = row.cold_start === 1;
  if (row.init_duration_ms !== null) record.initDurationMs = row.init_duration_ms;
  const extra = record as { request?: Buffer; callbackUrl?: string };
  if (row.request !== null && row.request !== undefined) extra.request = bytesOf(row.request);
  if (row.callback_url !== null) extra.callbackUrl = row.callback_url;
  return record;
}
