import type { EnvReader } from './env-reader.js';

export const DB_SYNCHRONOUS_MODES = ['full', 'normal'] as const;
export type DbSynchronousMode = (typeof DB_SYNCHRONOUS_MODES)[number];

export interface StoreConfig {
  /** Directory of the SQLite file, or ":memory:" (tests). */
  readonly dataDir: string;
  /** SQLite `synchronous`: full fsyncs every commit (survives power loss); normal survives process crashes. */
  readonly synchronous: DbSynchronousMode;
  readonly executionTtlMs: number;
  /**
   * Largest sync request kept with its execution (GET /v1/executions/{id} shows its input); a larger
   * one is not written to the database. Async requests are always kept: they must survive a restart.
   */
  readonly syncInputMaxBytes: number;
  readonly idempotencyTtlMs: number;
  readonly sweepIntervalMs: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function loadStoreConfig(env: EnvReader): StoreConfig {
  return {
    dataDir: env.string('NANOFAAS_DATA_DIR', '.nanofaas'),
    synchronous: env.oneOf('NANOFAAS_DB_SYNCHRONOUS', DB_SYNCHRONOUS_MODES, 'full'),
    executionTtlMs: env.integer('NANOFAAS_EXECUTION_TTL_MS', DAY_MS, 1000),
    syncInputMaxBytes: env.integer('NANOFAAS_SYNC_INPUT_MAX_BYTES', 64 * 1024, 0),
    idempotencyTtlMs: env.integer('NANOFAAS_IDEMPOTENCY_TTL_MS', DAY_MS, 1000),
    sweepIntervalMs: env.integer('NANOFAAS_SWEEP_INTERVAL_MS', 60_000, 100),
  };
}
