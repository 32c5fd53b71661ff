import type { EnvReader } from './env-reader.js';

/** Bounds of the in-memory store behind the log API (docs/configuration.md, "Logs"). */
export interface FunctionLogsConfig {
  /** Lines kept per function; the oldest are dropped first. */
  readonly maxLines: number;
  /** Bytes kept per function (line text plus a small fixed overhead per line). */
  readonly maxBytes: number;
  /** Longer lines are cut to this many bytes and marked `truncated`. */
  readonly maxLineBytes: number;
  /** Followed streams (`?follow=true`) open at once, over all functions. */
  readonly maxFollowers: number;
}

export function loadFunctionLogsConfig(env: EnvReader): FunctionLogsConfig {
  return {
    maxLines: env.integer('NANOFAAS_FUNCTION_LOG_LINES', 1000, 0, 1_000_000),
    maxBytes: env.integer('NANOFAAS_FUNCTION_LOG_BYTES', 1024 * 1024, 1024, 1024 ** 3),
    maxLineBytes: env.integer('NANOFAAS_FUNCTION_LOG_LINE_BYTES', 4096, 64, 64 * 1024),
    maxFollowers: env.integer('NANOFAAS_FUNCTION_LOG_FOLLOWERS', 64, 0, 10_000),
  };
}
