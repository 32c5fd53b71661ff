import type { ErrorInfo, ExecutionState, InvocationRequest } from '@nanofaas/contracts';
import type { Database, Statement } from 'better-sqlite3';
import type { ExecutionKind, ExecutionRecord } from '../executions/execution-record.js';
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
  output: string | null;
  error: string | null;
  cold_start: number | null;
  trace_id: string;
  request: string | null;
  callback_url: string | null;
}

export interface ExecutionQuery {
  readonly functionName?: string;
  readonly status?: ExecutionState;
  readonly limit: number;
}

/**
 * Executions in SQLite. Async executions are inserted (and committed) when enqueued, then updated;
 * sync executions are written once, when they end (a restart loses nothing a caller still waits for).
 * Terminal rows are never rewritten: every update is fenced on a non-terminal status.
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
    this.insertStatement = db.prepare(
      `INSERT INTO executions (id, function_name, kind, status, attempt, created_at, started_at, finished_at,
         output, error, cold_start, trace_id, request, callback_url, webhook_pending, expires_at)
       VALUES (@id, @function_name, @kind, @status, @attempt, @created_at, @started_at, @finished_at,
         @output, @error, @cold_start, @trace_id, @request, @callback_url, @webhook_pending, @expires_at)`,
    );
    this.runningStatement = db.prepare(
      `UPDATE executions SET status = 'running', attempt = ?, started_at = coalesce(started_at, ?)
       WHERE id = ? AND status IN ('queued', 'running')`,
    );
    this.requeueStatement = db.prepare(
      `UPDATE executions SET status = 'queued', attempt = ? WHERE id = ? AND status IN ('queued', 'running')`,
    );
    this.finishStatement = db.prepare(
      `UPDATE executions SET status = @status, attempt = @attempt, started_at = @started_at,
         finished_at = @finished_at, output = @output, error = @error, cold_start = @cold_start,
         webhook_pending = @webhook_pending, expires_at = @expires_at, request = NULL
       WHERE id = @id AND status IN ('queued', 'running')`,
    );
    this.getStatement = db.prepare('SELECT * FROM executions WHERE id = ?');
    this.webhookDoneStatement = db.prepare('UPDATE executions SET webhook_pending = 0 WHERE id = ?');
  }

  /** Commits a new async execution; resolves once it is durable. */
  insertQueued(record: ExecutionRecord, extraWrite?: () => void): Promise<void> {
    const row = this.toRow(record);
    return this.writes.commit(() => {
      this.insertStatement.run(row);
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
    const row = this.toRow(record);
    const statement = record.kind === 'sync' ? this.insertStatement : this.finishStatement;
    this.writes.defer(() => statement.run(row), onCommitted);
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
    const sql = `SELECT * FROM executions ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...params, query.limit) as ExecutionRow[]).map(fromRow);
  }

  /**
   * Startup recovery (at-least-once): every running execution goes back to queued with attempt+1;
   * returns every queued execution, oldest first.
   */
  recoverActive(): ExecutionRecord[] {
    return this.db.transaction(() => {
      this.db
        .prepare(`UPDATE executions SET status = 'queued', attempt = attempt + 1 WHERE status = 'running'`)
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
      .prepare('SELECT * FROM executions WHERE webhook_pending = 1 ORDER BY finished_at')
      .all() as ExecutionRow[];
    return rows.map(fromRow);
  }

  /** Deletes finished executions past their TTL; returns how many. */
  sweep(now: number): number {
    return this.db.prepare('DELETE FROM executions WHERE expires_at IS NOT NULL AND expires_at < ?').run(now)
      .changes;
  }

  private toRow(record: ExecutionRecord) {
    const finished = record.finishedAt !== undefined;
    return {
      id: record.id,
      function_name: record.functionName,
      kind: record.kind,
      status: record.status,
      attempt: record.attempt,
      created_at: record.createdAt,
      started_at: record.startedAt ?? null,
      finished_at: record.finishedAt ?? null,
      output: record.status === 'success' ? JSON.stringify(record.output ?? null) : null,
      error: record.error ? JSON.stringify(record.error) : null,
      cold_start: record.coldStart === undefined ? null : record.coldStart ? 1 : 0,
      trace_id: record.traceId,
      request: record.request && !finished ? JSON.stringify(record.request) : null,
      callback_url: record.callbackUrl ?? null,
      webhook_pending: finished && record.callbackUrl ? 1 : 0,
      expires_at: finished ? record.finishedAt! + this.ttlMs : null,
    };
  }
}

function fromRow(row: ExecutionRow): ExecutionRecord {
  const record: ExecutionRecord = {
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
  if (row.output !== null) record.output = JSON.parse(row.output);
  if (row.error !== null) record.error = JSON.parse(row.error) as ErrorInfo;
  if (row.cold_start !== null) record.coldStart = row.cold_start === 1;
  const extra = record as { request?: InvocationRequest; callbackUrl?: string };
  if (row.request !== null) extra.request = JSON.parse(row.request) as InvocationRequest;
  if (row.callback_url !== null) extra.callbackUrl = row.callback_url;
  return record;
}
