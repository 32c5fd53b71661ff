import type { EnvReader } from './env-reader.js';

/** A token bucket: `ratePerSecond` 0 turns the limit off. */
export interface RateLimitConfig {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export interface AdmissionConfig {
  readonly global: RateLimitConfig;
  /** Applied to each function separately. */
  readonly perFunction: RateLimitConfig;
}

function loadRateLimit(env: EnvReader, prefix: string): RateLimitConfig {
  const ratePerSecond = env.number(`${prefix}_RPS`, 0, 0, 10_000_000);
  return {
    ratePerSecond,
    burst: env.integer(`${prefix}_BURST`, Math.max(1, Math.ceil(ratePerSecond)), 1, 10_000_000),
  };
}

export function loadAdmissionConfig(env: EnvReader): AdmissionConfig {
  return {
    global: loadRateLimit(env, 'NANOFAAS_RATE_LIMIT'),
    perFunction: loadRateLimit(env, 'NANOFAAS_FUNCTION_RATE_LIMIT'),
  };
}
