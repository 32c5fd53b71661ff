import { ConfigError, type EnvReader } from './env-reader.js';

export interface SchedulerConfig {
  /** First retry delay; doubles per attempt, with full jitter. */
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** Secret that signs X-Callback-Url webhooks (X-Nanofaas-Signature); webhooks are refused without it. */
  readonly webhookSecret: string | undefined;
  readonly webhookMaxAttempts: number;
  readonly webhookTimeoutMs: number;
  /** Interval of Backend.reconcile with the whole set of registered functions (also run at start). */
  readonly reconcileIntervalMs: number;
  /** NANOFAAS_WEBHOOK_ALLOWED_HOSTS: hosts exempt from the private-address rule (internal receivers). */
  readonly webhookAllowedHosts: readonly string[];
}

export function loadSchedulerConfig(env: EnvReader): SchedulerConfig {
  const retryBaseMs = env.integer('NANOFAAS_RETRY_BASE_MS', 100, 1, 600_000);
  const retryMaxMs = env.integer('NANOFAAS_RETRY_MAX_MS', 10_000, 1, 3_600_000);
  if (retryMaxMs < retryBaseMs) {
    throw new ConfigError(
      'NANOFAAS_RETRY_MAX_MS',
      `must be at least NANOFAAS_RETRY_BASE_MS (${retryMaxMs} < ${retryBaseMs})`,
    );
  }
  const webhookSecret = env.raw('NANOFAAS_WEBHOOK_SECRET');
  if (webhookSecret !== undefined && webhookSecret.length < 16) {
    throw new ConfigError('NANOFAAS_WEBHOOK_SECRET', 'must be at least 16 characters long');
  }
  return {
    retryBaseMs,
    retryMaxMs,
    webhookSecret,
    webhookMaxAttempts: env.integer('NANOFAAS_WEBHOOK_MAX_ATTEMPTS', 6, 1, 100),
    webhookTimeoutMs: env.integer('NANOFAAS_WEBHOOK_TIMEOUT_MS', 5000, 1, 600_000),
    reconcileIntervalMs: env.integer('NANOFAAS_RECONCILE_INTERVAL_MS', 30_000, 100, 3_600_000),
    webhookAllowedHosts: allowedHosts(env.raw('NANOFAAS_WEBHOOK_ALLOWED_HOSTS')),
  };
}

function allowedHosts(value: string | undefined): string[] {
  if (value === undefined) return [];
  const hosts = value
    .split(',')
    .map((host) => host.trim())
    .filter((host) => host !== '');
  for (const host of hosts) {
    if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.:-]+)$/.test(host)) {
      throw new ConfigError('NANOFAAS_WEBHOOK_ALLOWED_HOSTS', `"${host}" is not a host name or IP address`);
    }
  }
  return hosts;
}
