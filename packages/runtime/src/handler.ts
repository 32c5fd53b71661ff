import type { Logger } from './logger.js';

/** What a function receives for one invocation. */
export interface FunctionRequest<Input = unknown> {
  /**
   * The invocation's input: the `input` of the InvocationRequest (any JSON value), or — when the
   * HTTP body was not JSON — the raw body as a Buffer (see `contentType`).
   */
  readonly input: Input;
  /** The InvocationRequest's `metadata` (string key/value pairs); `{}` when none were sent. */
  readonly metadata: Readonly<Record<string, string>>;
  /**
   * The media type of `input`: `application/json` when `input` is a decoded JSON value, otherwise
   * the request's Content-Type (and `input` is a Buffer).
   */
  readonly contentType: string;
  readonly executionId: string;
  readonly traceId: string;
  /** When the invocation times out, in epoch milliseconds. */
  readonly deadline: number;
  /** 1 on the first dispatch, higher when the platform runs the same execution again. */
  readonly attempt: number;
}

/** What a function can use besides its request. */
export interface FunctionContext {
  /** JSON-lines logger on stderr whose lines carry executionId and traceId. */
  readonly logger: Logger;
  /** Aborted at the deadline (and when the caller goes away): stop work and return. */
  readonly signal: AbortSignal;
  /** Milliseconds left until the deadline (never negative). */
  remainingMs(): number;
  /** FUNCTION_NAME of the process, when set. */
  readonly functionName: string | undefined;
}

/**
 * A function: returns any JSON value (undefined becomes null), or a Buffer/Uint8Array for binary
 * output, synchronously or as a promise. Throw a FunctionError to report an error with a code.
 */
export type Handler<Input = unknown, Output = unknown> = (
  request: FunctionRequest<Input>,
  context: FunctionContext,
) => Output | Promise<Output>;

/**
 * Declares a function. The runtime serves the module's default export:
 *
 *     export default defineFunction(async ({ input }) => ({ echo: input }));
 *
 * `Input` is what the function expects; the runtime does not check it, so validate untrusted input.
 */
export function defineFunction<Input = unknown, Output = unknown>(
  handler: Handler<Input, Output>,
): Handler<Input, Output> {
  if (typeof handler !== 'function') {
    throw new TypeError(`defineFunction expects a function, got ${typeof handler}`);
  }
  return handler;
}
