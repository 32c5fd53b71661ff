import type {
  HeaderName as ContractHeaderName,
  ErrorDefinition,
  ErrorInfo,
  PlatformErrorCode,
} from '@nanofaas/contracts';

/*
 * The few wire names and catalogue entries the runtime needs on its hot path and at start-up.
 *
 * They come from @nanofaas/contracts, but importing that package at run time loads TypeBox and every
 * schema (~100 ms on the 2-core machine), which would triple the runtime's cold start. So the values
 * are listed here and test/wire.test.ts fails when any of them differs from the contracts'; the
 * contracts themselves (the InvocationRequest validator) are imported lazily, only when a body needs
 * the full check (see request-validation.ts). Types are imported for free.
 */

/** Lowercase header names, as Node's `IncomingMessage.headers` keys them (contracts: HeaderKeys). */
export const HeaderKey = Object.freeze({
  traceId: 'x-trace-id',
  traceparent: 'traceparent',
  timeoutMs: 'x-timeout-ms',
  executionId: 'x-execution-id',
  dispatchAttempt: 'x-dispatch-attempt',
  coldStart: 'x-cold-start',
  initDurationMs: 'x-init-duration-ms',
  errorOrigin: 'x-error-origin',
  authorization: 'authorization',
} satisfies Partial<Record<ContractHeaderName, string>>);

/** Header names in canonical case, for responses and outgoing requests (contracts: Headers). */
export const HeaderName = Object.freeze({
  traceId: 'X-Trace-Id',
  executionId: 'X-Execution-Id',
  coldStart: 'X-Cold-Start',
  initDurationMs: 'X-Init-Duration-Ms',
  errorOrigin: 'X-Error-Origin',
  authorization: 'Authorization',
} satisfies Partial<Record<ContractHeaderName, string>>);

/** The catalogue entries the runtime answers with (contracts: ErrorCatalogue), minus descriptions. */
export const RuntimeErrors = Object.freeze({
  VALIDATION_FAILED: entry(400, 'client', false),
  MALFORMED_JSON: entry(400, 'client', false),
  ROUTE_NOT_FOUND: entry(404, 'client', false),
  METHOD_NOT_ALLOWED: entry(405, 'client', false),
  PAYLOAD_TOO_LARGE: entry(413, 'client', false),
  UNSUPPORTED_MEDIA_TYPE: entry(415, 'client', false),
  TIMEOUT: entry(408, 'function', true),
  UNHANDLED_ERROR: entry(500, 'function', false),
  INVALID_OUTPUT: entry(500, 'function', false),
  INTERNAL_ERROR: entry(500, 'platform', false),
  NOT_READY: entry(503, 'platform', true),
} satisfies Partial<Record<PlatformErrorCode, Omit<ErrorDefinition, 'description'>>>);

export type RuntimeErrorCode = keyof typeof RuntimeErrors;

function entry(status: number, origin: ErrorDefinition['origin'], retryable: boolean) {
  return Object.freeze({ status, origin, retryable });
}

/** A complete ErrorInfo for a catalogue code (contracts: errorInfo). */
export function runtimeErrorInfo(
  code: RuntimeErrorCode,
  message: string,
  extra: Partial<ErrorInfo> = {},
): ErrorInfo {
  const definition = RuntimeErrors[code];
  return { code, message, origin: definition.origin, retryable: definition.retryable, ...extra };
}

/** An error answer: the HTTP status and the contract's error object. */
export interface ErrorAnswer {
  readonly status: number;
  readonly error: ErrorInfo;
}

export function errorAnswer(
  code: RuntimeErrorCode,
  message: string,
  extra?: Partial<ErrorInfo>,
): ErrorAnswer {
  return { status: RuntimeErrors[code].status, error: runtimeErrorInfo(code, message, extra) };
}
