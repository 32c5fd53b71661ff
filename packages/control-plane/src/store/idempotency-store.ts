import type { Database, Statement } from 'better-sqlite3';
import type { WriteBatcher } from './write-batcher.js';

export interface IdempotencyEntry {
  readonly requestHash: string;
  readonly executionId: string;
  readonly expiresAt: number;
}

/**
 * Idempotency keys per function. Entries not yet committed are served from memory, so two requests
 * with the same key in the same instant see each other.
 */
export class IdempotencyStore {
  private readonly pending = new Map<string, IdempotencyEntry>();
  private readonly getStatement: Statement<
    [string, string],
    { request_hash: string; execution_id: string; expires_at: number }
  >;
  private readonly putStatement: Statement;

  constructor(
    private readonly db: Database,
    private readonly writes: WriteBatcher,
    private readonly ttlMs: number,
  ) {
    this.getStatement = db.prepare(
      'SELECT request_hash, execution_id, expires_at FROM idempotency_keys WHERE function_name = ? AND key = ?',
    );
    this.putStatement = db.prepare(
      `INSERT INTO idempotency_keys (function_name, key, request_hash, execution_id, expires_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (function_name, key) DO UPDATE SET request_hash = excluded.request_hash,
         execution_id = excluded.execution_id, expires_at = excluded.expires_at`,
    );
  }

  find(functionName: string, key: string, now: number): IdempotencyEntry | undefined {
    const pending = this.pending.get(mapKey(functionName, key));
    if (pending) return pending;
    const row = this.getStatement.get(functionName, key);
    if (!row || row.expires_at < now) return undefined;
    return { requestHash: row.request_hash, executionId: row.execution_id, expiresAt: row.expires_at };
  }

  /** The write that stores the key; run it in the same batch as the execution it points to. */
  remember(functionName: string, key: string, requestHash: string, executionId: string, now: number) {
    const entry: IdempotencyEntry = { requestHash, executionId, expiresAt: now + this.ttlMs };
    const id = mapKey(functionName, key);
    this.pending.set(id, entry);
    return () => {
      this.putStatement.run(functionName, key, requestHash, executionId, entry.expiresAt);
      if (this.pending.get(id) === entry) this.pending.delete(id);
    };
  }

  /** Stores a key in the next batch without waiting for it (sync invocations). */
  rememberLater(
    functionName: string,
    key: string,
    requestHash: string,
    executionId: string,
    now: number,
  ): void {
    this.writes.defer(this.remember(functionName, key, requestHash, executionId, now));
  }

  deleteForFunction(functionName: string): void {
    for (const id of this.pending.keys()) if (id.startsWith(`${functionName}\u0000`)) this.pending.delete(id);
    this.db.prepare('DELETE FROM idempotency_keys WHERE function_name = ?').run(functionName);
  }

  sweep(now: number): number {
    return this.db.prepare('DELETE FROM idempotency_keys WHERE expires_at < ?').run(now).changes;
  }
}

function mapKey(functionName: string, key: string): string {
  return `${functionName}\u0000${key}`;
}
