/** Counts permits; waiters are served first come, first served. */
export class Semaphore {
  private inUse = 0;
  private readonly waiters: Array<() => void> = [];
  private readonly idle: Array<() => void> = [];

  constructor(private readonly permits: number) {}

  /** Takes a permit if one is free right now (and nobody waits ahead). */
  tryAcquire(): boolean {
    if (this.inUse >= this.permits || this.waiters.length > 0) return false;
    this.inUse += 1;
    return true;
  }

  /** Resolves once a permit is held; rejects with the signal's reason if it aborts first. */
  acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.inUse < this.permits && this.waiters.length === 0) {
      this.inUse += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        this.inUse += 1;
        resolve();
      };
      const onAbort = () => {
        const index = this.waiters.indexOf(grant);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(grant);
    });
  }

  release(): void {
    this.inUse -= 1;
    const next = this.waiters.shift();
    if (next) next();
    else if (this.inUse === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  /** Resolves when no permit is held. */
  drained(): Promise<void> {
    if (this.inUse === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }
}
