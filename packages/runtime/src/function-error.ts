/** Options of a FunctionError. */
export interface FunctionErrorOptions {
  /** Whether the platform may run the invocation again (default false). */
  readonly retryable?: boolean;
  /** Any JSON value that helps the caller; sent as `error.details`. */
  readonly details?: unknown;
  /** The underlying error, kept for the log only. */
  readonly cause?: unknown;
}

// A registered symbol, not `instanceof`: a function bundling its own copy of this package must still
// be recognised by the runtime that loads it.
const FUNCTION_ERROR_BRAND = Symbol.for('nanofaas.FunctionError');

const MAX_CODE_LENGTH = 128;

/**
 * An error the function reports on purpose, with a stable code of its own (for example
 * `CARD_DECLINED`). The caller gets status 500, origin "function", this code and message; any other
 * thrown error becomes UNHANDLED_ERROR.
 */
export class FunctionError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details: unknown;

  constructor(code: string, message: string, options: FunctionErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (typeof code !== 'string' || code.length === 0 || code.length > MAX_CODE_LENGTH) {
      throw new TypeError(`FunctionError code must be a string of 1 to ${MAX_CODE_LENGTH} characters`);
    }
    this.name = 'FunctionError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
    Object.defineProperty(this, FUNCTION_ERROR_BRAND, { value: true });
  }
}

/** True for a FunctionError from any copy of this package. */
export function isFunctionError(value: unknown): value is FunctionError {
  return typeof value === 'object' && value !== null && FUNCTION_ERROR_BRAND in value;
}
