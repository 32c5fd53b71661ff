import { PlatformError } from '@nanofaas/contracts';
import type { LargeBodyReclaimer } from './large-body-reclaimer.js';

/** Seconds a caller is told to wait when the budget is spent: bodies in flight end within a request. */
const RETRY_AFTER_SECONDS = 1;

/** OVERLOADED (503) with Retry-After: the platform holds as many request bytes as it may. */
export class BodyBudgetExhaustedError extends PlatformError {
  readonly retryAfterSeconds = RETRY_AFTER_SECONDS;

  constructor(limitBytes: number) {
    super(
      'OVERLOADED',
      `the control plane already holds ${limitBytes} bytes of request bodies in flight (NANOFAAS_MAX_INFLIGHT_BODY_BYTES); retry shortly`,
    );
  }
}

/**
 * A bound on the bytes of request bodies the control plane holds at once
 * (NANOFAAS_MAX_INFLIGHT_BODY_BYTES), so memory stays bounded under many large payloads: bytes
 * are reserved as a body is read (all of a declared Content-Length at once) and given back when
 * its response has been sent.
 */
export class BodyBudget {
  #used = 0;
  readonly #reclaimer: LargeBodyReclaimer | undefined;

  /** `reclaimer` hears of every body given back, so memory returns after a burst of large ones. */
  constructor(
    readonly limitBytes: number,
    reclaimer?: LargeBodyReclaimer,
  ) {
    this.#reclaimer = reclaimer;
  }

  get usedBytes(): number {
    return this.#used;
  }

  /** Reserves `bytes`, or returns false when they do not fit. */
  tryReserve(bytes: number): boolean {
    if (this.#used + bytes > this.limitBytes) return false;
    this.#used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
    this.#reclaimer?.letGo(bytes);
  }
}
