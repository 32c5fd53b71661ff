import { randomBytes, randomUUID } from 'node:crypto';

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

export const randomIds: IdGenerator = {
  executionId: () => randomUUID(),
  traceId: () => randomBytes(16).toString('hex'),
  spanId: () => randomBytes(8).toString('hex'),
  random: () => Math.random(),
};
