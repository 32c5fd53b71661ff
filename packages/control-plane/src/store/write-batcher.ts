import type { Database } from 'better-sqlite3';
import type { DbSynchronousMode } from '../config/store-config.js';

type Write = () => void;

interface PendingWrite {
  readonly write: Write;
  readonly resolve?: () => void;
  readonly reject?: (error: unknown) => void;
}

/**
 * Group commit: writes queued in the same turn of the event loop are committed in one transaction
 * (one fsync), which is what lets durable enqueue keep up with many concurrent callers.
 * `commit` resolves once the write is committed and flushes on the next turn; `defer` writes ride
 * along with the next batch, at most `deferMs` later (sync results, state changes: the hot path
 * pays for a transaction every few milliseconds, not per invocation). Order is kept across both.
 * A write that throws fails alone (SQLite rolls back just that statement); the batch still commits.
 *
 * Durability per batch: a batch holding a `commit` write is committed with the configured
 * `synchronous` mode (full: fsync, survives power loss); a batch of deferred writes only with
 * NORMAL, which in WAL mode survives a crash of the process (kill -9) but not of the machine.
 */
export class WriteBatcher {
  private pending: PendingWrite[] = [];
  private immediate: NodeJS.Immediate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly onError: (error: unknown) => void,
    private readonly durableMode: DbSynchronousMode,
    private readonly onCommitted: (writes: number) => void = () => undefined,
    private readonly deferMs = 20,
  ) {
    db.pragma('synchronous = NORMAL');
  }

  private mode: DbSynchronousMode = 'normal';

  private useMode(mode: DbSynchronousMode): void {
    if (this.mode === mode) return;
    this.db.pragma(`synchronous = ${mode.toUpperCase()}`);
    this.mode = mode;
  }

  commit(write: Write): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.push({ write, resolve, reject })) this.immediate ??= setImmediate(() => this.flush());
    });
  }

  /** `onCommitted` runs once the write is committed. */
  defer(write: Write, onCommitted?: () => void): void {
    if (this.push({ write, ...(onCommitted ? { resolve: onCommitted } : {}) }) && !this.immediate) {
      this.timer ??= setTimeout(() => this.flush(), this.deferMs);
    }
  }

  /** Commits everything queued now (shutdown, tests). */
  flush(): void {
    if (this.immediate) clearImmediate(this.immediate);
    if (this.timer) clearTimeout(this.timer);
    this.immediate = undefined;
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const failures = new Map<PendingWrite, unknown>();
    try {
      this.useMode(batch.some((item) => item.reject !== undefined) ? this.durableMode : 'normal');
      this.db.transaction(() => {
        for (const item of batch) {
          try {
            item.write();
          } catch (error) {
            failures.set(item, error);
          }
        }
      })();
    } catch (error) {
      for (const item of batch) item.reject?.(error);
      this.onError(error);
      return;
    }
    this.onCommitted(batch.length);
    for (const item of batch) {
      const failure = failures.get(item);
      if (failure === undefined) item.resolve?.();
      else if (item.reject) item.reject(failure);
      else this.onError(failure);
    }
  }

  close(): void {
    this.flush();
    this.closed = true;
  }

  /** Queues the write; false when the store is closed (the write is refused). */
  private push(item: PendingWrite): boolean {
    if (this.closed) {
      const error = new Error('the store is closed');
      if (item.reject) item.reject(error);
      else this.onError(error);
      return false;
    }
    this.pending.push(item);
    return true;
  }
}
