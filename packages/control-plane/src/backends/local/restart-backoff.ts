import { type ErrorInfo, errorInfo } from '@nanofaas/contracts';

export interface RestartBackoffOptions {
  readonly restartBackoffMs: number;
  readonly restartBackoffMaxMs: number;
  readonly crashLoopThreshold: number;
}

/**
 * Crash handling of one function's replicas, as a kubelet does for a pod: each consecutive failure
 * (a start that never got ready, or a crash soon after) doubles the wait before the next start,
 * up to a cap; enough of them in a row is a crash loop, which marks the function failed with the
 * last error so requests fail fast instead of waiting for a replica that will not come.
 */
export class RestartBackoff {
  readonly #options: RestartBackoffOptions;
  readonly #functionName: string;
  #consecutive = 0;
  #restartAt = 0;
  #lastFailure: string | undefined;
  #failure: ErrorInfo | undefined;

  constructor(functionName: string, options: RestartBackoffOptions) {
    this.#functionName = functionName;
    this.#options = options;
  }

  /** The last failure's message (for status), if any since the last reset. */
  get lastFailure(): string | undefined {
    return this.#lastFailure;
  }

  /** The error that marks the function failed (crash loop or a command that cannot start). */
  get failure(): ErrorInfo | undefined {
    return this.#failure;
  }

  /** When the next replica may start (epoch ms). */
  get restartAt(): number {
    return this.#restartAt;
  }

  /** A new revision: forget everything. */
  reset(): void {
    this.#consecutive = 0;
    this.#restartAt = 0;
    this.#lastFailure = undefined;
    this.#failure = undefined;
  }

  /** A replica became ready: the function is no longer failed (the count resets once it is stable). */
  recordReady(): void {
    this.#failure = undefined;
  }

  /** A replica that had been ready for a while died: it is replaced at once, the count starts over. */
  recordLateExit(message: string): void {
    this.#consecutive = 0;
    this.#lastFailure = message;
  }

  /** The command cannot start at all (SPAWN_FAILED): the function is failed at once. */
  recordSpawnFailure(message: string): ErrorInfo {
    this.#failure = errorInfo('SPAWN_FAILED', `"${this.#functionName}" cannot start: ${message}`);
    return this.#failure;
  }

  /**
   * A failed start or an early crash: pushes the next start back. Returns the crash-loop error when
   * this failure makes it one (the caller fails waiting requests with it).
   */
  recordFailure(message: string, now: number): ErrorInfo | undefined {
    const { restartBackoffMs, restartBackoffMaxMs, crashLoopThreshold } = this.#options;
    this.#consecutive++;
    this.#lastFailure = message;
    const delay = Math.min(restartBackoffMs * 2 ** (this.#consecutive - 1), restartBackoffMaxMs);
    this.#restartAt = now + delay;
    if (this.#consecutive < crashLoopThreshold || this.#failure?.code === 'SPAWN_FAILED') return undefined;
    this.#failure = errorInfo(
      'FUNCTION_UNAVAILABLE',
      `"${this.#functionName}" is crash-looping (${this.#consecutive} failed starts in a row; ` +
        `next try in ${delay} ms); last: ${message}`,
    );
    return this.#failure;
  }

  /** The failure requests get now, or undefined when a start may be tried. */
  blocking(now: number): ErrorInfo | undefined {
    return this.#failure !== undefined && now < this.#restartAt ? this.#failure : undefined;
  }
}
