import { randomUUID } from 'node:crypto';

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

/** randomUUID draws from a cached entropy pool, which makes it the cheapest source of random hex. */
const randomHex32 = () => randomUUID().replace(/-/g, '');

/**
 * A UUID version 7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, then random bits. Ids that grow
 * with time keep the executions table's primary-key index appending at its right edge, so a batch of
 * inserts dirties a few pages instead of one page per row.
 */
export function uuidV7(now: number = Date.now()): string {
  const random = randomUUID();
  const time = now.toString(16).padStart(12, '0').slice(-12);
  // random: xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx (V: variant bits, already RFC 9562's).
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15, 18)}-${random.slice(19)}`;
}

export const randomIds: IdGenerator = {
  executionId: () => uuidV7(),
  traceId: randomHex32,
  spanId: () => randomHex32().slice(0, 16),
  random: () => Math.random(),
};
