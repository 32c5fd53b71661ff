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

export const randomIds: IdGenerator = {
  executionId: () => randomUUID(),
  traceId: randomHex32,
  spanId: () => randomHex32().slice(0, 16),
  random: () => Math.random(),
};
