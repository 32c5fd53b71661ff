import {
  type ErrorInfo,
  errorInfo,
  HeaderKeys,
  Headers,
  httpStatusOf,
  type PlatformErrorCode,
} from '@nanofaas/contracts/wire';

/*
 * The wire names and error catalogue the runtime answers with. They come from
 * `@nanofaas/contracts/wire`, the schema-free entry point: the full contracts load TypeBox and every
 * schema (~70 ms here), so the InvocationRequest validator is imported lazily, only when a body needs
 * the full check (see request-validation.ts).
 */

/** Lowercase header names, as Node's `IncomingMessage.headers` keys them. */
export const HeaderKey = HeaderKeys;

/** Header names in canonical case, for responses and outgoing requests. */
export const HeaderName = Headers;

export type RuntimeErrorCode = PlatformErrorCode;

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
  return { status: httpStatusOf({ code }), error: errorInfo(code, message, extra) };
}
