import { type ErrorInfo, isRetryable } from '@nanofaas/contracts';

export interface RetryPolicyOptions {
  readonly baseMs: number;
  readonly maxMs: number;
  /** Uniform in [0, 1). */
  readonly random: () => number;
}

/**
 * Whether a failed attempt runs again: platform failures and timeouts (retryable in the catalogue),
 * or a function error the function marked retryable; `maxRetries` counts retries, not attempts.
 */
export function shouldRetry(error: ErrorInfo, attempt: number, maxRetries: number): boolean {
  return attempt <= maxRetries && isRetryable(error);
}

/**
 * Exponential backoff with "equal jitter": half the exponential delay plus a random share of the
 * other half, so retries of many executions spread out but never come back instantly.
 */
export function retryDelayMs(attempt: number, options: RetryPolicyOptions): number {
  const exponential = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + options.random() * (exponential / 2));
}
