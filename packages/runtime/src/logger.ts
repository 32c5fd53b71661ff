export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

/** A structured logger: each call writes one JSON line carrying the bound fields. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines also carry `fields` (for example executionId and traceId). */
  child(fields: LogFields): Logger;
  isLevelEnabled(level: LogLevel): boolean;
}

/** Where log records go: one record at a time. */
export type LogSink = (record: LogFields) => void;

export interface LoggerOptions {
  readonly level?: LogLevel;
  readonly sink?: LogSink;
  readonly clock?: () => number;
}

/** JSON lines on stderr, so stdout stays free for STDIO mode's output. */
export const stderrSink: LogSink = (record) => {
  process.stderr.write(`${safeStringify(record)}\n`);
};

export function createLogger(options: LoggerOptions = {}, bound: LogFields = {}): Logger {
  const threshold = RANK[options.level ?? 'info'];
  const sink = options.sink ?? stderrSink;
  const clock = options.clock ?? Date.now;
  const write = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[level] < threshold) return;
    const record: LogFields = { ts: new Date(clock()).toISOString(), level, msg, ...bound, ...fields };
    for (const key in fields) {
      const value = fields[key];
      if (value instanceof Error) record[key] = describeError(value);
    }
    sink(record);
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
    isLevelEnabled: (level) => RANK[level] >= threshold,
  };
}

/** Errors become {name, message, stack} so that every sink sees them (JSON.stringify drops them). */
function describeError(error: Error): LogFields {
  return { name: error.name, message: error.message, stack: error.stack };
}

/** A record that cannot be serialised still yields a line. */
function safeStringify(record: LogFields): string {
  try {
    return JSON.stringify(record);
  } catch {
    return JSON.stringify({ ts: record['ts'], level: record['level'], msg: String(record['msg']) });
  }
}
