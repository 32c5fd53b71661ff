import { PlatformError } from '@nanofaas/contracts';
import type { AdmissionConfig, RateLimitConfig } from '../config/admission-config.js';
import type { Clock } from '../deps/clock.js';
import { TokenBucket } from './token-bucket.js';

/** Thrown when admission refuses; the HTTP edge turns it into 429 with Retry-After. */
export class RejectedError extends PlatformError {
  constructor(
    code: 'RATE_LIMITED' | 'QUEUE_FULL',
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(code, message);
  }
}

/** Global and per-function token buckets (DESIGN.md §3: 429 with Retry-After). */
export class RateLimiter {
  private readonly global: TokenBucket | undefined;
  private readonly perFunction = new Map<string, TokenBucket>();

  constructor(
    private readonly config: AdmissionConfig,
    private readonly clock: Clock,
  ) {
    this.global = bucketOf(config.global, clock);
  }

  /** Throws RejectedError(RATE_LIMITED) when either bucket is empty. */
  admit(functionName: string): void {
    if (this.config.perFunction.ratePerSecond > 0) {
      let bucket = this.perFunction.get(functionName);
      if (!bucket) {
        bucket = bucketOf(this.config.perFunction, this.clock)!;
        this.perFunction.set(functionName, bucket);
      }
      const waitMs = bucket.take();
      if (waitMs > 0) {
        throw new RejectedError(
          'RATE_LIMITED',
          `rate limit of function "${functionName}" reached (${this.config.perFunction.ratePerSecond}/s)`,
          Math.max(1, Math.ceil(waitMs / 1000)),
        );
      }
    }
    const waitMs = this.global?.take() ?? 0;
    if (waitMs > 0) {
      throw new RejectedError(
        'RATE_LIMITED',
        `global rate limit reached (${this.config.global.ratePerSecond}/s)`,
        Math.max(1, Math.ceil(waitMs / 1000)),
      );
    }
  }

  forget(functionName: string): void {
    this.perFunction.delete(functionName);
  }
}

function bucketOf(config: RateLimitConfig, clock: Clock): TokenBucket | undefined {
  return config.ratePerSecond > 0 ? new TokenBucket(config.ratePerSecond, config.burst, clock) : undefined;
}
