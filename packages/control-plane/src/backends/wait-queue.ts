import type { ErrorInfo } from '@nanofaas/contracts';
import type { Clock } from '../deps/clock.js';
import type { Dispatch } from './backend.js';
import { cancelledError } from './cancellation.js';

export type Acquired<T> =
  | { readonly ok: true; readonly value: T; readonly coldStart: boolean }
  | { readonly ok: false; readonly error: ErrorInfo };

interface Waiter<T> {
  readonly arrivedAt: number;
  settle(result: Acquired<T>): void;
}

/**
 * Requests waiting for a replica with room, first come first served. Each wait ends when a replica
 * is handed out, when the dispatch's timeout passes, when its signal aborts, or when the pool fails
 * every waiter (crash loop, delete, shutdown) — whichever comes first.
 */
export class WaitQueue<T> {
  readonly #clock: Clock;
  /** In arrival order (a Set iterates in insertion order; removal is O(1)). */
  readonly #waiters = new Set<Waiter<T>>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  get length(): number {
    return this.#waiters.size;
  }

  /** Waits for `serve` to hand out a value; `onTimeout` describes why none came in time. */
  wait(dispatch: Dispatch, onTimeout: () => ErrorInfo): Promise<Acquired<T>> {
    return new Promise<Acquired<T>>((resolve) => {
      const waiter: Waiter<T> = {
        arrivedAt: this.#clock.now(),
        settle: (result) => {
          cancelTimer();
          dispatch.signal.removeEventListener('abort', onAbort);
          this.#waiters.delete(waiter);
          resolve(result);
        },
      };
      const cancelTimer = this.#clock.setTimer(
        () => waiter.settle({ ok: false, error: onTimeout() }),
        dispatch.timeoutMs,
      );
      const onAbort = () => waiter.settle({ ok: false, error: cancelledError(dispatch.signal) });
      dispatch.signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(waiter);
    });
  }

  /** Hands values to waiters in arrival order for as long as `next` has one. */
  serve(next: (arrivedAt: number) => { value: T; coldStart: boolean } | undefined): void {
    for (;;) {
      const waiter = this.#waiters.values().next().value;
      if (waiter === undefined) return;
      const handed = next(waiter.arrivedAt);
      if (handed === undefined) return;
      waiter.settle({ ok: true, ...handed });
    }
  }

  failAll(error: ErrorInfo): void {
    for (const waiter of [...this.#waiters]) waiter.settle({ ok: false, error });
  }
}
