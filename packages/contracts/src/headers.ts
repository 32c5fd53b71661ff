/** HTTP header names of the platform's wire contract (DESIGN.md §3), in canonical case. */
export const Headers = Object.freeze({
  idempotencyKey: 'Idempotency-Key',
  traceId: 'X-Trace-Id',
  traceparent: 'traceparent',
  timeoutMs: 'X-Timeout-Ms',
  executionId: 'X-Execution-Id',
  dispatchAttempt: 'X-Dispatch-Attempt',
  retryAfter: 'Retry-After',
  coldStart: 'X-Cold-Start',
  initDurationMs: 'X-Init-Duration-Ms',
  callbackUrl: 'X-Callback-Url',
  errorOrigin: 'X-Error-Origin',
  rejectReason: 'X-Nanofaas-Reject-Reason',
  signature: 'X-Nanofaas-Signature',
  authorization: 'Authorization',
});

export type HeaderName = keyof typeof Headers;

/** The same names lowercased, as Node's `IncomingMessage.headers` keys them. */
export const HeaderKeys: Readonly<Record<HeaderName, string>> = Object.freeze(
  Object.fromEntries(Object.entries(Headers).map(([key, value]) => [key, value.toLowerCase()])) as Record<
    HeaderName,
    string
  >,
);

/** Idempotency-Key: 1 to 256 visible ASCII characters, no spaces. */
export const IDEMPOTENCY_KEY_PATTERN = '^[!-~]{1,256}$';
