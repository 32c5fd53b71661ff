import type { FunctionContext } from './handler.js';
import type { Logger } from './logger.js';

/**
 * The context one invocation hands its handler. A class rather than an object literal with getters:
 * V8 gives a literal's accessors fresh objects on every evaluation, which on the hot path doubled the
 * garbage collector's work. The AbortController and the per-invocation logger are made on first use.
 */
export class InvocationContext implements FunctionContext {
  #controller: AbortController | undefined;
  #abortReason: Error | undefined;
  #logger: Logger | undefined;

  constructor(
    private readonly baseLogger: Logger,
    private readonly executionId: string,
    private readonly traceId: string,
    private readonly deadline: number,
    private readonly clock: () => number,
    readonly functionName: string | undefined,
  ) {}

  get logger(): Logger {
    this.#logger ??= this.baseLogger.child({ executionId: this.executionId, traceId: this.traceId });
    return this.#logger;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#abortReason !== undefined) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  remainingMs(): number {
    return Math.max(0, this.deadline - this.clock());
  }

  /** Aborts the signal (now, or as it is created if the handler has not read it yet). */
  abort(reason: Error): void {
    this.#abortReason ??= reason;
    this.#controller?.abort(reason);
  }
}
