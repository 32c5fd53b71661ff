import type { Database } from 'better-sqlite3';

type Write = () => void;

interface PendingWrite {
  readonly write: Write;
  readonly resolve?: () => void;
  readonly reject?: (error: unknown) => void;
}

/**
 * Group commit: writes queued in the same turn of the event loop are committed in one transaction
 * (one fsync), which is what lets durable enqueue keep up with many concurrent callers.
 * `commit` resolves once the write is committed; `defer` is fire-and-forget (same order, same batch).
 * A write that throws fails alone (SQLite rolls back just that statement); the batch still commits.
 */
export class WriteBatcher {
  private pending: PendingWrite[] = [];
  private scheduled = false;
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly onError: (error: unknown) => void,
  ) {}

  commit(write: Write): Promise<void> {
    return new Promise((resolve, reject) => this.push({ write, resolve, reject }));
  }

  defer(write: Write): void {
    this.push({ write });
  }

  /** Commits everything queued now (shutdown, tests). */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const failures = new Map<PendingWrite, unknown>();
    try {
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

  private push(item: PendingWrite): void {
    if (this.closed) {
      const error = new Error('the store is closed');
      if (item.reject) item.reject(error);
      else this.onError(error);
      return;
    }
    this.pending.push(item);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }
}
