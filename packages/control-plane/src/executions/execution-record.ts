import type { ErrorInfo, ExecutionState, ExecutionStatus, InvocationRequest } from '@nanofaas/contracts';

/** sync: a caller waits on the connection; async: enqueued, durable before 202. */
export type ExecutionKind = 'sync' | 'async';

/** One execution as the platform keeps it (times in epoch milliseconds). */
export interface ExecutionRecord {
  readonly id: string;
  readonly functionName: string;
  readonly kind: ExecutionKind;
  status: ExecutionState;
  /** 1 for the first attempt; every retry or re-dispatch after a restart adds one. */
  attempt: number;
  readonly createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  output?: unknown;
  /** `output` as JSON text, when the backend handed it over: answers and rows splice it as is. */
  outputJson?: string;
  error?: ErrorInfo;
  coldStart?: boolean;
  readonly traceId: string;
  /** Kept for async executions so they can be dispatched again after a restart. */
  readonly request?: InvocationRequest;
  /** X-Callback-Url: where the final ExecutionStatus is posted. */
  readonly callbackUrl?: string;
}

/** The public shape of GET /v1/executions/{id}. */
export function toExecutionStatus(record: ExecutionRecord): ExecutionStatus {
  const status: ExecutionStatus = {
    executionId: record.id,
    functionName: record.functionName,
    status: record.status,
    attempt: record.attempt,
    createdAt: new Date(record.createdAt).toISOString(),
    traceId: record.traceId,
  };
  if (record.startedAt !== undefined) status.startedAt = new Date(record.startedAt).toISOString();
  if (record.finishedAt !== undefined) {
    status.finishedAt = new Date(record.finishedAt).toISOString();
    status.durationMs = record.finishedAt - (record.startedAt ?? record.createdAt);
  }
  if (record.status === 'success') status.output = record.output ?? null;
  if (record.error !== undefined) status.error = record.error;
  if (record.coldStart !== undefined) status.coldStart = record.coldStart;
  return status;
}
