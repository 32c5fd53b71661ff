import type { IdGenerator } from '../deps/id-generator.js';

export interface TraceContext {
  readonly traceId: string;
  /** The W3C traceparent to send to the function: same trace, a new parent id (our span). */
  readonly traceparent: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const TRACE_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): continue the caller's trace when it sent
 * a valid `traceparent`, else use its X-Trace-Id, else start one.
 */
export function traceContextOf(
  traceparentHeader: string | undefined,
  traceIdHeader: string | undefined,
  ids: IdGenerator,
): TraceContext {
  const parsed = traceparentHeader ? TRACEPARENT.exec(traceparentHeader.trim().toLowerCase()) : null;
  const parentTraceId = parsed && parsed[2] !== '0'.repeat(32) ? parsed[2]! : undefined;
  const flags = parsed?.[4] ?? '01';
  const headerTraceId = traceIdHeader && TRACE_ID.test(traceIdHeader) ? traceIdHeader : undefined;
  const traceId = headerTraceId ?? parentTraceId ?? ids.traceId();
  const w3cTraceId = parentTraceId ?? (/^[0-9a-f]{32}$/.test(traceId) ? traceId : ids.traceId());
  return { traceId, traceparent: `00-${w3cTraceId}-${ids.spanId()}-${flags}` };
}
