import { LOG_LEVELS, type LogLevel } from './logger.js';

/** Settings of a one-shot run (a Job without the watchdog): the spec's REMOTE env. */
export interface OneShotConfig {
  readonly callbackUrl: string;
  readonly payload: string;
  readonly callbackToken: string | undefined;
}

export interface RuntimeConfig {
  readonly port: number;
  readonly host: string;
  /** Absolute or cwd-relative path of the handler module. */
  readonly handlerPath: string;
  readonly maxBodyBytes: number;
  /** Per-invocation timeout; X-Timeout-Ms can only lower it. */
  readonly timeoutMs: number;
  readonly logLevel: LogLevel;
  readonly functionName: string | undefined;
  /** EXECUTION_ID and TRACE_ID of the process (STDIO and one-shot runs get them from the watchdog). */
  readonly executionId: string | undefined;
  readonly traceId: string | undefined;
  /** Present when EXECUTION_ID, CALLBACK_URL and INVOCATION_PAYLOAD are all set. */
  readonly oneShot: OneShotConfig | undefined;
}

export interface ConfigOverrides {
  /** The CLI's positional argument; wins over HANDLER. */
  readonly handlerPath?: string | undefined;
}

export const ConfigDefaults = Object.freeze({
  port: 8080,
  host: '0.0.0.0',
  handlerPath: './index.js',
  maxBodyBytes: 6 * 1024 * 1024,
  timeoutMs: 30_000,
  logLevel: 'info' as LogLevel,
});

const MAX_PORT = 65_535;
const MAX_BODY_BYTES_LIMIT = 1024 * 1024 * 1024;
const MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** A setting that cannot be used; the message names the variable. */
export class ConfigError extends Error {
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads, validates and freezes the runtime's settings. An empty variable counts as unset; any other
 * unusable value throws a ConfigError naming the variable (never a silent fallback).
 */
export function loadConfig(env: Env, overrides: ConfigOverrides = {}): RuntimeConfig {
  const read = (name: string) => {
    const value = env[name];
    return value === undefined || value.length === 0 ? undefined : value;
  };
  const executionId = read('EXECUTION_ID');
  const callbackUrl = read('CALLBACK_URL');
  const payload = read('INVOCATION_PAYLOAD');

  return Object.freeze({
    port: integer('PORT', read('PORT'), ConfigDefaults.port, 0, MAX_PORT),
    host: read('HOST') ?? ConfigDefaults.host,
    handlerPath: overrides.handlerPath ?? read('HANDLER') ?? ConfigDefaults.handlerPath,
    maxBodyBytes: integer(
      'MAX_BODY_BYTES',
      read('MAX_BODY_BYTES'),
      ConfigDefaults.maxBodyBytes,
      1,
      MAX_BODY_BYTES_LIMIT,
    ),
    timeoutMs: integer('TIMEOUT_MS', read('TIMEOUT_MS'), ConfigDefaults.timeoutMs, 1, MAX_TIMEOUT_MS),
    logLevel: logLevel(read('LOG_LEVEL')),
    functionName: read('FUNCTION_NAME'),
    executionId,
    traceId: read('TRACE_ID'),
    oneShot: oneShot(executionId, callbackUrl, payload, read('CALLBACK_TOKEN')),
  });
}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) {
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function logLevel(raw: string | undefined): LogLevel {
  if (raw === undefined) return ConfigDefaults.logLevel;
  const level = raw.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  }
  return level as LogLevel;
}

/**
 * One-shot mode needs all three of EXECUTION_ID, CALLBACK_URL and INVOCATION_PAYLOAD. EXECUTION_ID
 * alone is normal (the watchdog sets it for STDIO runs and removes the other two), but CALLBACK_URL
 * or INVOCATION_PAYLOAD without the rest is a broken Job spec, so it is reported rather than ignored.
 */
function oneShot(
  executionId: string | undefined,
  callbackUrl: string | undefined,
  payload: string | undefined,
  callbackToken: string | undefined,
): OneShotConfig | undefined {
  if (callbackUrl === undefined && payload === undefined) return undefined;
  const missing = [
    executionId === undefined ? 'EXECUTION_ID' : undefined,
    callbackUrl === undefined ? 'CALLBACK_URL' : undefined,
    payload === undefined ? 'INVOCATION_PAYLOAD' : undefined,
  ].filter((name) => name !== undefined);
  if (missing.length > 0 || callbackUrl === undefined || payload === undefined) {
    throw new ConfigError(
      missing.join(', '),
      'must be set for a one-shot run (EXECUTION_ID, CALLBACK_URL and INVOCATION_PAYLOAD go together)',
    );
  }
  let url: URL;
  try {
    url = new URL(callbackUrl);
  } catch {
    throw new ConfigError('CALLBACK_URL', `must be an absolute http(s) URL, got "${callbackUrl}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('CALLBACK_URL', `must use http or https, got "${url.protocol}"`);
  }
  return Object.freeze({ callbackUrl: callbackUrl.replace(/\/+$/, ''), payload, callbackToken });
}
