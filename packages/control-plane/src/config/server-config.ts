import { DEFAULT_MAX_BODY_BYTES } from '@nanofaas/contracts';
import type { EnvReader } from './env-reader.js';

export interface ServerConfig {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /**
   * Base URL one-shot runs call back to; `/v1/internal/executions` is appended. Undefined: the
   * address the server listens on (loopback when it listens on all interfaces).
   */
  readonly callbackBaseUrl: string | undefined;
  readonly maxBodyBytes: number;
  /** Bytes of request bodies held at once, by all :invoke/:enqueue requests together. */
  readonly maxInflightBodyBytes: number;
  /** On SIGTERM, how long in-flight work may take to finish before it is persisted for re-dispatch. */
  readonly shutdownGraceMs: number;
}

export function loadServerConfig(env: EnvReader): ServerConfig {
  const host = env.string('HOST', '127.0.0.1');
  const port = env.integer('PORT', 8080, 0, 65_535);
  const explicit = env.raw('NANOFAAS_CALLBACK_BASE_URL');
  return {
    host,
    port,
    callbackBaseUrl: explicit === undefined ? undefined : env.url('NANOFAAS_CALLBACK_BASE_URL', explicit),
    maxBodyBytes: env.integer('NANOFAAS_MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES, 1024, 1024 ** 3),
    maxInflightBodyBytes: env.integer(
      'NANOFAAS_MAX_INFLIGHT_BODY_BYTES',
      64 * 1024 * 1024,
      1024,
      64 * 1024 ** 3,
    ),
    shutdownGraceMs: env.integer('NANOFAAS_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
  };
}
