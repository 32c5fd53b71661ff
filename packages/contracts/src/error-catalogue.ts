import type { ErrorInfo, ErrorOrigin } from './error-info.js';

export interface ErrorDefinition {
  readonly status: number;
  readonly origin: ErrorOrigin;
  readonly retryable: boolean;
  readonly description: string;
}

/**
 * Every error code the platform itself produces, in one place (docs/errors.md mirrors it; a test
 * keeps both in step). Codes a function reports about itself pass through unchanged with status 500.
 */
export const ErrorCatalogue = Object.freeze({
  VALIDATION_FAILED: def(
    400,
    'client',
    false,
    'The request body, a path parameter or a header broke a rule; `issues` names each field.',
  ),
  MALFORMED_JSON: def(400, 'client', false, 'The body is not valid JSON.'),
  MALFORMED_REQUEST: def(
    400,
    'client',
    false,
    "The request is not valid HTTP/1.1 (refused by Node's HTTP parser).",
  ),
  UNAUTHORIZED: def(401, 'client', false, 'No valid API key (or callback token) was presented.'),
  FORBIDDEN: def(403, 'client', false, "The API key's role does not allow this operation."),
  FUNCTION_NOT_FOUND: def(404, 'client', false, 'No function with that name is registered.'),
  EXECUTION_NOT_FOUND: def(404, 'client', false, 'No execution with that id exists (or it has expired).'),
  ROUTE_NOT_FOUND: def(404, 'client', false, 'No route matches the method and path.'),
  METHOD_NOT_ALLOWED: def(405, 'client', false, 'The path exists but not with this method.'),
  FUNCTION_EXISTS: def(409, 'client', false, 'A function with that name is already registered.'),
  IDEMPOTENCY_CONFLICT: def(
    409,
    'client',
    false,
    'The Idempotency-Key was used before with a different payload.',
  ),
  FUNCTION_DELETED: def(410, 'platform', false, 'The function was deleted before this execution ran.'),
  PAYLOAD_TOO_LARGE: def(413, 'client', false, 'The request body is over the configured limit.'),
  UNSUPPORTED_MEDIA_TYPE: def(415, 'client', false, 'The Content-Type is not one the route accepts.'),
  HEADERS_TOO_LARGE: def(431, 'client', false, 'The request headers are over the HTTP server limit.'),
  RATE_LIMITED: def(429, 'platform', true, 'A per-function or global rate limit was hit; see Retry-After.'),
  QUEUE_FULL: def(429, 'platform', true, "The function's queue is full; see Retry-After."),
  CONCURRENCY_LIMIT: def(
    429,
    'platform',
    true,
    'An instance is already running its maximum of in-flight invocations.',
  ),
  TOO_MANY_FOLLOWERS: def(
    429,
    'platform',
    true,
    'As many followed log streams are open as NANOFAAS_FUNCTION_LOG_FOLLOWERS allows.',
  ),
  TIMEOUT: def(408, 'function', true, 'The invocation did not finish within its timeout.'),
  FUNCTION_ERROR: def(500, 'function', false, 'The function reported an error without a code of its own.'),
  UNHANDLED_ERROR: def(500, 'function', false, 'The function threw an error that was not a FunctionError.'),
  FUNCTION_FAILED: def(
    500,
    'function',
    false,
    'The function process exited non-zero or was killed by a signal.',
  ),
  INVALID_OUTPUT: def(
    500,
    'function',
    false,
    'The function produced output that is not valid JSON (or not serialisable).',
  ),
  OUTPUT_TOO_LARGE: def(
    500,
    'function',
    false,
    'The function produced more output than the configured limit.',
  ),
  INTERNAL_ERROR: def(
    500,
    'platform',
    false,
    'An unexpected failure inside the platform (a bug: please report it).',
  ),
  BACKEND_UNREACHABLE: def(502, 'platform', true, 'The backend or function endpoint could not be reached.'),
  RUNTIME_UNAVAILABLE: def(
    502,
    'platform',
    true,
    "The watchdog could not reach the function's runtime process.",
  ),
  SPAWN_FAILED: def(
    502,
    'platform',
    false,
    'The function command could not be started (missing or not executable).',
  ),
  RUN_LOST: def(502, 'platform', true, 'A one-shot run ended without reporting a result.'),
  INVALID_CONFIGURATION: def(
    502,
    'platform',
    false,
    "A one-shot run's watchdog could not start: a variable of its environment is invalid (named in the message).",
  ),
  NOT_READY: def(503, 'platform', true, 'The function instance is not ready yet, or is draining.'),
  FUNCTION_UNAVAILABLE: def(
    503,
    'platform',
    false,
    'The function cannot start (for example a crash loop); see its status.',
  ),
  OVERLOADED: def(
    503,
    'platform',
    true,
    'The control plane holds its limit of request bytes in flight; see Retry-After.',
  ),
  SHUTTING_DOWN: def(503, 'platform', true, 'The control plane is shutting down and admits no new work.'),
} satisfies Record<string, ErrorDefinition>);

export type PlatformErrorCode = keyof typeof ErrorCatalogue;

function def(status: number, origin: ErrorOrigin, retryable: boolean, description: string): ErrorDefinition {
  return Object.freeze({ status, origin, retryable, description });
}

export function isPlatformErrorCode(code: string): code is PlatformErrorCode {
  return Object.hasOwn(ErrorCatalogue, code);
}

/** HTTP status for an error: the catalogue's, or 500 for a function's own code. */
export function httpStatusOf(error: Pick<ErrorInfo, 'code'>): number {
  return isPlatformErrorCode(error.code) ? ErrorCatalogue[error.code].status : 500;
}

/** Whether the scheduler may retry: catalogue codes say so; a function's own code only if it says so. */
export function isRetryable(error: Pick<ErrorInfo, 'code' | 'retryable'>): boolean {
  if (isPlatformErrorCode(error.code) && ErrorCatalogue[error.code].origin !== 'function') {
    return ErrorCatalogue[error.code].retryable;
  }
  return error.retryable ?? (isPlatformErrorCode(error.code) && ErrorCatalogue[error.code].retryable);
}

/** Builds a complete ErrorInfo for a catalogue code. */
export function errorInfo(
  code: PlatformErrorCode,
  message: string,
  extra: Partial<ErrorInfo> = {},
): ErrorInfo {
  const definition = ErrorCatalogue[code];
  return { code, message, origin: definition.origin, retryable: definition.retryable, ...extra };
}

/** A typed platform error; one place (the HTTP edge) turns it into a response. */
export class PlatformError extends Error {
  readonly code: PlatformErrorCode;
  readonly status: number;
  readonly info: ErrorInfo;

  constructor(code: PlatformErrorCode, message: string, extra: Partial<ErrorInfo> = {}) {
    super(message);
    this.name = 'PlatformError';
    this.code = code;
    this.status = ErrorCatalogue[code].status;
    this.info = errorInfo(code, message, extra);
  }
}
