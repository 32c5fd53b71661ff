import {
  type ErrorInfo,
  type ExecutionState,
  type ExecutionStatus,
  JsonLimits,
  scanJson,
} from '@nanofaas/contracts';

/** sync: a caller waits on the connection; async: enqueued, durable before 202. */
export type ExecutionKind = 'sync' | 'async';

/**
 * One execution as the platform keeps it (times in epoch milliseconds). Its state is read-only here:
 * ExecutionTracker alone moves it (docs/lifecycle.md §3), everyone else asks the tracker.
 */
export interface ExecutionRecord {
  readonly id: string;
  readonly functionName: string;
  readonly kind: ExecutionKind;
  readonly status: ExecutionState;
  /** 1 for the first attempt; every retry or re-dispatch after a restart adds one. */
  readonly attempt: number;
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  /** The function's JSON answer, as the bytes it wrote: answers and rows splice it as is. */
  readonly output?: Buffer;
  readonly error?: ErrorInfo;
  readonly coldStart?: boolean;
  /** The runtime's start-up time it reported (X-Init-Duration-Ms) on a cold start. */
  readonly initDurationMs?: number;
  readonly traceId: string;
  /**
   * The InvocationRequest bytes: stored with the execution, so an async one can be dispatched again
   * after a restart, and every one shows its input (GET /v1/executions/{id}) until it expires.
   */
  readonly request?: Buffer;
  /** X-Callback-Url: where the final ExecutionStatus is posted. */
  readonly callbackUrl?: string;
}

/** The record as its owner writes it: ExecutionTracker, and the store building one from a row. */
export type WritableExecutionRecord = { -readonly [K in keyof ExecutionRecord]: ExecutionRecord[K] };

const NULL_OUTPUT = Buffer.from('null');

/**
 * The public shape of GET /v1/executions/{id} (without `output`) and the output to splice in:
 * the record's bytes for a success, none otherwise.
 */
export function toExecutionStatus(record: ExecutionRecord): {
  status: ExecutionStatus;
  output: Buffer | undefined;
} {
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
  if (record.error !== undefined) status.error = record.error;
  if (record.coldStart !== undefined) status.coldStart = record.coldStart;
  if (record.initDurationMs !== undefined) status.initDurationMs = record.initDurationMs;
  return { status, output: record.status === 'success' ? (record.output ?? NULL_OUTPUT) : undefined };
}

/** GET /v1/executions/{id} as JSON text, `output` spliced in as the function's own bytes. */
export function executionStatusJson(record: ExecutionRecord): string {
  const { status, output } = toExecutionStatus(record);
  return withOutput(JSON.stringify(status), output);
}

/** `{…}` (JSON.stringify of an object) with `"output": <bytes>` appended when there is one. */
export function withOutput(objectJson: string, output: Buffer | undefined): string {
  if (output === undefined) return objectJson;
  const separator = objectJson === '{}' ? '' : ',';
  return `${objectJson.slice(0, -1)}${separator}"output":${output.toString('utf8')}}`;
}

/**
 * GET /v1/executions/{id}: the status with `output`, and, with `withInput`, `input` as the caller's
 * own bytes (the `input` member of the stored request) when the request is still stored.
 */
export function executionDetailJson(record: ExecutionRecord, withInput: boolean): string {
  const { status, output } = toExecutionStatus(record);
  const json = JSON.stringify(status);
  const input = !withInput || record.request === undefined ? undefined : inputBytes(record.request);
  // `output` stays the last member, as in every other answer that carries it.
  const inputJson = input === undefined ? json : `${json.slice(0, -1)},"input":${input.toString('utf8')}}`;
  return withOutput(inputJson, output);
}

function inputBytes(request: Buffer): Buffer | undefined {
  const scan = scanJson(request, JsonLimits.maxDepth);
  if (!scan.ok) return undefined;
  const member = scan.members?.find((candidate) => candidate.key === 'input');
  return member === undefined ? undefined : request.subarray(member.start, member.end);
}
