import type { ExecutionState } from '@nanofaas/contracts';

/**
 * What moves an execution (docs/lifecycle.md §3): `dispatch` hands an attempt to the backend,
 * `requeue` puts it back in line, `finish` gives it its final state.
 */
export type ExecutionEvent = 'dispatch' | 'requeue' | 'finish';

/** Why an execution goes back to `queued` (ExecutionTracker.requeue). */
export type RequeueReason =
  /** A retryable failure: the next attempt runs after a backoff, numbered one higher. */
  | 'retry'
  /** After a restart, the run of a previous attempt is no longer alive: the raised attempt runs. */
  | 'run-gone'
  /** Shutdown cut an async attempt short: it stays queued for the next start, which raises it. */
  | 'shutdown';

/**
 * The state machine `queued → running → success | error | timeout` (DESIGN.md §4): whether `event`
 * may move an execution that is in state `from`. Terminal states accept nothing, so a late or
 * duplicate result can never rewrite one.
 */
export function canMove(from: ExecutionState, event: ExecutionEvent): boolean {
  switch (from) {
    case 'queued':
      // Deleted, expired or shut down while waiting: it ends without having run.
      return event === 'dispatch' || event === 'finish';
    case 'running':
      return event === 'requeue' || event === 'finish';
    case 'success':
    case 'error':
    case 'timeout':
      return false;
    default: {
      const unknown: never = from;
      throw new Error(`unknown execution state ${String(unknown)}`);
    }
  }
}
