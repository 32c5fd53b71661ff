import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// The worker is inline CommonJS so it runs the same from src (tests) and dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.modulePath);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  db.close();
  parentPort.close();
});
`;

/** Writes after which the checkpoint thread starts (a small WAL needs none until shutdown). */
const START_AFTER_WRITES = 1000;

/**
 * Copies the WAL back into the database file from a worker thread, so the fsyncs of checkpoints never
 * stall the event loop (the main connection runs with wal_autocheckpoint off). The thread (an extra
 * V8 isolate, ~10 MB) starts with the first sustained writes, so an idle control plane stays small.
 */
export class WalCheckpointer {
  private worker: Worker | undefined;
  private writes = 0;
  private stopped = false;

  constructor(
    private readonly file: string,
    private readonly intervalMs: number,
  ) {}

  /** Counts committed writes; starts the thread once there are enough to be worth checkpointing. */
  noteWrites(count: number): void {
    this.writes += count;
    if (!this.worker && !this.stopped && this.writes >= START_AFTER_WRITES) this.start();
  }

  private start(): void {
    const modulePath = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file: this.file, modulePath, intervalMs: this.intervalMs },
    });
    this.worker.unref();
  }

  /** Idempotent; the caller runs the last checkpoint on its own connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('stop');
    const bound = new Promise<void>((resolve) => setTimeout(resolve, 5000).unref());
    await Promise.race([exited, bound]);
    await worker.terminate();
  }
}
