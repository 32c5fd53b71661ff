import type { LogStream } from '@nanofaas/contracts';

/** One line a function's process wrote, as a backend hands it over. */
export interface FunctionLogLine {
  /** The function the backend knows the process belongs to (never taken from the line itself). */
  readonly functionName: string;
  readonly stream: LogStream;
  /** Untrusted text, any length; the sink bounds it. */
  readonly line: string;
  readonly executionId?: string;
  /** The replica, run or pod that wrote it. */
  readonly instance?: string;
}

/**
 * Where backends push the log lines of function processes (the log API reads them back). The local
 * backend feeds it from each watchdog's stderr; the Kubernetes backend from pod logs. Both parse
 * the watchdog's lines with `parseWatchdogLogLine`.
 */
export interface FunctionLogSink {
  append(line: FunctionLogLine): void;
}

/** A sink that keeps nothing (a backend built without the log API). */
export const discardingLogSink: FunctionLogSink = { append: () => undefined };
