import type { CancelTimer, Clock } from '../deps/clock.js';

/** Bodies from this size on count (the size above which bodies get a buffer of their own). */
const LARGE_BODY_MIN_BYTES = 64 * 1024;
/** Bytes of large bodies let go that make a collection worth its pause (a few ms on this heap). */
const RECLAIM_AFTER_BYTES = 32 * 1024 * 1024;
/** How long no large body may have been let go before the collection runs (the burst is over). */
const QUIET_MS = 1000;

/**
 * Gives the memory of large request and answer bodies back soon after a burst of them. A Buffer's
 * memory is freed only when V8 collects the Buffer, and V8 collects when JavaScript allocates: an
 * idle control plane kept the bodies of its last burst (over 100 MB after 16 × 6 MiB) until traffic
 * came back. Once RECLAIM_AFTER_BYTES of large bodies have been let go, and none for QUIET_MS, it
 * asks for one full collection. `collect` is V8's `gc`, present when Node runs with `--expose-gc`
 * (the launchers pass it, docs/configuration.md "Memory"); without it this does nothing.
 */
export class LargeBodyReclaimer {
  readonly #clock: Clock;
  readonly #collect: (() => void) | undefined;
  #letGo = 0;
  #cancel: CancelTimer | undefined;

  constructor(clock: Clock, collect: (() => void) | undefined) {
    this.#clock = clock;
    this.#collect = collect;
  }

  /** Whether letting go of a body of `bytes` would count (so callers can skip the bookkeeping). */
  counts(bytes: number): boolean {
    return this.#collect !== undefined && bytes >= LARGE_BODY_MIN_BYTES;
  }

  /** A body of `bytes` is no longer used by the control plane. */
  letGo(bytes: number): void {
    if (!this.counts(bytes)) return;
    this.#letGo += bytes;
    if (this.#letGo < RECLAIM_AFTER_BYTES) return;
    this.#cancel?.();
    this.#cancel = this.#clock.setTimer(() => this.#reclaim(), QUIET_MS);
  }

  #reclaim(): void {
    this.#cancel = undefined;
    this.#letGo = 0;
    this.#collect?.();
  }
}

/** V8's collector when Node was started with --expose-gc, else undefined. */
export function exposedCollector(): (() => void) | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  return typeof gc === 'function' ? () => gc() : undefined;
}
