import { type ErrorInfo, errorInfo } from '@nanofaas/contracts';
import type { Clock } from '../deps/clock.js';
import type { Dispatch } from './backend.js';
import { cancelledError } from './cancellation.js';
import { type Acquired, WaitQueue } from './wait-queue.js';

/** What the router needs of an instance (a warm process, a pod): its load, owned by the router. */
export interface RoutableInstance {
  /** Requests the router has handed to this instance and not yet taken back. */
  inFlight: number;
}

export interface InstanceRouterOptions<I extends RoutableInstance> {
  readonly clock: Clock;
  /** Every instance that may take requests now (ready, not draining). */
  readonly candidates: () => Iterable<I>;
  /** Most requests one instance takes at once (the function's `concurrency`). */
  readonly limit: () => number;
  /** Instances of the current revision are chosen before older ones (while a revision rolls). */
  readonly preferred?: (instance: I) => boolean;
  /** Whether handing `instance` to a request that arrived at `arrivedAt` was a cold start. */
  readonly coldStart?: (instance: I, arrivedAt: number) => boolean;
}

/**
 * Routing to the instances of one function, for every backend (DESIGN.md §5): each request goes to
 * the least-loaded instance with room, never more than `limit` in flight on one; requests beyond
 * that wait, first come first served, until an instance has room, their timeout passes, their
 * signal aborts or the router fails them all (crash loop, delete, shutdown). The backend owns the
 * instances' lifecycle and calls `serve()` whenever one becomes ready.
 */
export class InstanceRouter<I extends RoutableInstance> {
  readonly #options: InstanceRouterOptions<I>;
  readonly #waiters: WaitQueue<I>;

  constructor(options: InstanceRouterOptions<I>) {
    this.#options = options;
    this.#waiters = new WaitQueue(options.clock);
  }

  /** Requests waiting for an instance. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** The least-loaded instance with room, or undefined; does not take a slot. */
  pick(): I | undefined {
    const limit = this.#options.limit();
    const preferred = this.#options.preferred ?? (() => true);
    let best: I | undefined;
    let bestPreferred = false;
    for (const instance of this.#options.candidates()) {
      if (instance.inFlight >= limit) continue;
      const isPreferred = preferred(instance);
      if (
        best === undefined ||
        (isPreferred && !bestPreferred) ||
        (isPreferred === bestPreferred && instance.inFlight < best.inFlight)
      ) {
        best = instance;
        bestPreferred = isPreferred;
      }
    }
    return best;
  }

  /** Takes a slot on the least-loaded instance with room, at once, or returns undefined. */
  tryAcquire(): I | undefined {
    const instance = this.pick();
    if (instance !== undefined) instance.inFlight++;
    return instance;
  }

  /** A slot at once if one is free, else waits for one (see `wait`). */
  acquire(dispatch: Dispatch, onTimeout: () => ErrorInfo): Promise<Acquired<I>> {
    const instance = this.tryAcquire();
    if (instance === undefined) return this.wait(dispatch, onTimeout);
    const coldStart = this.#options.coldStart?.(instance, Number.POSITIVE_INFINITY) ?? false;
    return Promise.resolve({ ok: true, value: instance, coldStart });
  }

  /** Waits for a slot, bounded by the dispatch's timeout and signal; `onTimeout` says why none came. */
  wait(dispatch: Dispatch, onTimeout: () => ErrorInfo): Promise<Acquired<I>> {
    if (dispatch.signal.aborted)
      return Promise.resolve({ ok: false, error: cancelledError(dispatch.signal) });
    return this.#waiters.wait(dispatch, onTimeout);
  }

  /** Gives a slot back and hands it to the first waiter. */
  release(instance: I): void {
    instance.inFlight--;
    this.serve();
  }

  /** Hands free slots to waiters in arrival order (call when an instance becomes ready). */
  serve(): void {
    this.#waiters.serve((arrivedAt) => {
      const instance = this.tryAcquire();
      if (instance === undefined) return undefined;
      return { value: instance, coldStart: this.#options.coldStart?.(instance, arrivedAt) ?? false };
    });
  }

  /** Ends every wait with `error`. */
  failAll(error: ErrorInfo): void {
    this.#waiters.failAll(error);
  }
}

/** The TIMEOUT of a request that found no instance with room in time. */
export function noInstanceInTime(functionName: string, timeoutMs: number, state: string): ErrorInfo {
  return errorInfo('TIMEOUT', `no instance of "${functionName}" had room within ${timeoutMs} ms (${state})`, {
    origin: 'platform',
  });
}
