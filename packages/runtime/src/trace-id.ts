// W3C Trace Context: version-traceid-parentid-flags, lowercase hex; an all-zero trace id is invalid.
// https://www.w3.org/TR/trace-context/#traceparent-header
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}/;
const ZERO_TRACE_ID = '0'.repeat(32);

/** The trace id of an invocation: X-Trace-Id, else the trace-id of a valid traceparent, else a new one. */
export function resolveTraceId(
  traceIdHeader: string | undefined,
  traceparent: string | undefined,
  generate: () => string = generateTraceId,
): string {
  if (traceIdHeader !== undefined && traceIdHeader.length > 0) return traceIdHeader;
  if (traceparent !== undefined) {
    const traceId = TRACEPARENT.exec(traceparent.trim())?.[1];
    if (traceId !== undefined && traceId !== ZERO_TRACE_ID) return traceId;
  }
  return generate();
}

/**
 * 32 lowercase hex digits, usable as a W3C trace-id. The global Web Crypto object loads node:crypto
 * on first use, so a runtime that always receives its ids never loads it (a faster cold start).
 */
export function generateTraceId(): string {
  return crypto.randomUUID().replaceAll('-', '');
}
