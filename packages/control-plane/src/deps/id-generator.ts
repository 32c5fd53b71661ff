import { randomFillSync } from 'node:crypto';
import { type Clock, systemClock } from './clock.js';

/** Identifiers the platform mints; injected so tests can make them predictable. */
export interface IdGenerator {
  executionId(): string;
  /** 32 lowercase hex characters (W3C trace-id). */
  traceId(): string;
  /** 16 lowercase hex characters (W3C parent-id). */
  spanId(): string;
  /** Uniform in [0, 1): retry jitter. */
  random(): number;
}

/** Bytes drawn from the CSPRNG at once: every id of the invoke path is a slice of one refill. */
const POOL_BYTES = 8192;
/** RFC 9562 variant bits (10xx) as the first hex digit of the fourth group. */
const VARIANT_DIGITS = '89ab';

/** Cryptographically random hex, read from a pool refilled a few kilobytes at a time. */
class RandomHex {
  private readonly pool = Buffer.allocUnsafe(POOL_BYTES);
  private offset = POOL_BYTES;

  /** `bytes` random bytes as 2 × `bytes` lowercase hex characters. */
  take(bytes: number): string {
    if (this.offset + bytes > POOL_BYTES) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    const hex = this.pool.toString('hex', this.offset, this.offset + bytes);
    this.offset += bytes;
    return hex;
  }
}

/**
 * A UUID version 7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, then random bits. Ids that grow
 * with time keep the executions table's primary-key index appending at its right edge, so a batch of
 * inserts dirties a few pages instead of one page per row. `random` is 20 random hex digits.
 */
export function uuidV7(now: number, random: string): string {
  const time = now.toString(16).padStart(12, '0').slice(-12);
  const variant = VARIANT_DIGITS[Number.parseInt(random[3]!, 16) & 3];
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(0, 3)}-${variant}${random.slice(4, 7)}-${random.slice(8, 20)}`;
}

/**
 * The production ids: random, from a pool of CSPRNG bytes owned by this generator; execution ids
 * carry the time of `clock` (the app's, so they agree with the records' times).
 */
export function createRandomIds(clock: Pick<Clock, 'now'> = systemClock): IdGenerator {
  const hex = new RandomHex();
  return {
    executionId: () => uuidV7(clock.now(), hex.take(10)),
    traceId: () => hex.take(16),
    spanId: () => hex.take(8),
    random: () => Math.random(),
  };
}
