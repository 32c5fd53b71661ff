import type { Cancellation } from '../backends/cancellation.js';
import type { CancelTimer } from '../deps/clock.js';
import type { ExecutionRecord } from './execution-record.js';

/** An execution that has not ended yet (or whose end is not yet committed), with what running it needs. */
export interface LiveExecution {
  readonly record: ExecutionRecord;
  /** The InvocationRequest as JSON bytes, as the function receives it (Dispatch.requestBody). */
  readonly requestBody: Buffer;
  readonly traceparent: string;
  /** Sync only: when the caller stops waiting (epoch ms). */
  readonly deadline?: number;
  /** True once the final state is set; nothing changes it after. Written by ExecutionTracker only. */
  readonly settled: boolean;
  /** Aborts the attempt in flight. */
  attemptCancellation?: Cancellation;
  cancelDeadline?: CancelTimer;
  cancelRetry?: CancelTimer;
  waiters?: Array<(record: ExecutionRecord) => void>;
}
