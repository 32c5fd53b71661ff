import pino, { type Logger } from 'pino';
import type { LogConfig } from '../config/log-config.js';

export type { Logger };

/**
 * JSON logs on stdout. Payloads, outputs, API keys and tokens are never logged at info; the
 * redaction list is a second line of defence for headers.
 */
export function createLogger(config: LogConfig): Logger {
  return pino({
    level: config.level,
    base: { service: 'nanofaas-control-plane' },
    redact: ['req.headers.authorization', 'headers.authorization', 'token', 'apiKey'],
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
