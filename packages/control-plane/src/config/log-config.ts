import type { EnvReader } from './env-reader.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogConfig {
  readonly level: LogLevel;
}

export function loadLogConfig(env: EnvReader): LogConfig {
  return { level: env.oneOf('NANOFAAS_LOG_LEVEL', LOG_LEVELS, 'info') };
}
