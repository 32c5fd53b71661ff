import { type ErrorInfo, errorInfo } from '@nanofaas/contracts';

type AbortListener = (reason: Error) => void;

/**
 * Tells a backend that an attempt must stop. The scheduler makes one per attempt, so it is kept
 * cheaper than an AbortController (an EventTarget): one listener list, allocated only when a
 * listener is added, and a standard AbortSignal only when a backend reads `signal`.
 */
export class Cancellation {
  private listeners: AbortListener[] | undefined;
  private controller: AbortController | undefined;
  private abortReason: Error | undefined;

  /** A cancellation that aborts when `signal` does (for callers that hold only a signal). */
  static following(signal: AbortSignal): Cancellation {
    const cancellation = new Cancellation();
    if (signal.aborted) cancellation.abort(asError(signal.reason));
    else signal.addEventListener('abort', () => cancellation.abort(asError(signal.reason)), { once: true });
    return cancellation;
  }

  get aborted(): boolean {
    return this.abortReason !== undefined;
  }

  get reason(): Error | undefined {
    return this.abortReason;
  }

  /** A standard AbortSignal that aborts with this cancellation (made on first read). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortReason) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** Calls `listener` once when aborted (not if already aborted: check `aborted` first). */
  addListener(listener: AbortListener): void {
    this.listeners ??= [];
    this.listeners.push(listener);
  }

  removeListener(listener: AbortListener): void {
    const index = this.listeners?.indexOf(listener) ?? -1;
    if (index >= 0) this.listeners!.splice(index, 1);
  }

  /** Idempotent: the first reason wins. */
  abort(reason: Error): void {
    if (this.abortReason) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener(reason);
  }
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason ?? 'aborted'));
}

/** The error of an attempt whose signal aborted (the caller gave up, or the platform is stopping). */
export function cancelledError(signal: AbortSignal): ErrorInfo {
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'aborted');
  return errorInfo('TIMEOUT', `the invocation was cancelled (${reason})`, { origin: 'platform' });
}
