import { setTimeout as sleep } from 'node:timers/promises';

/** What to do after a failed write: try again later, give this change up, or stop writing for good. */
export type WriteFailure = 'retry' | 'drop' | 'stop';

/**
 * Coalesces status writes: at most one in flight, and the next one always sends the newest state,
 * so a burst of changes (started, ready, restarted) costs one or two API calls.
 */
export class StatusWriter {
  private dirty = false;
  private writing: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly write: () => Promise<void>,
    private readonly onFailure: (error: unknown) => WriteFailure,
    private readonly retryDelayMs = 1000,
  ) {}

  /** Something changed: write it soon. */
  request(): void {
    if (this.stopped) return;
    this.dirty = true;
    this.writing ??= this.run().finally(() => {
      this.writing = undefined;
    });
  }

  /** Writes the current state now and resolves once it (or a failure verdict) is through. */
  async flush(): Promise<void> {
    this.request();
    while (this.writing) await this.writing;
  }

  private async run(): Promise<void> {
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      try {
        await this.write();
      } catch (error) {
        const verdict = this.onFailure(error);
        if (verdict === 'stop') this.stopped = true;
        if (verdict === 'retry') {
          this.dirty = true;
          await sleep(this.retryDelayMs);
        }
      }
    }
  }
}
