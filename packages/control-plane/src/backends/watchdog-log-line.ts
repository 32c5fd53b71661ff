import type { LogStream } from '@nanofaas/contracts';

/** What a watchdog log line says about the function, before the function name is attached. */
export interface ParsedWatchdogLine {
  readonly stream: LogStream;
  readonly line: string;
  readonly executionId?: string;
}

/** Longest execution id taken from a line; longer ones are not ids of ours. */
const MAX_EXECUTION_ID_LENGTH = 128;

/**
 * Reads one line of the watchdog's stderr (watchdog/src/log.rs: one JSON object per line). Kept:
 * - `"msg":"function output"` — a line the function wrote, with its `stream` and `line`;
 *   `executionId` is the watchdog's (per-invocation children, one-shot runs) or else, for a
 *   long-lived HTTP runtime, the `executionId` of the line itself when the runtime logs JSON
 *   (the Node runtime's `context.logger` does);
 * - the watchdog's own warnings and errors, as stream `watchdog` (a timeout, a crash, a restart).
 * Anything else (routine info lines, text that is not a JSON object) gives undefined.
 */
export function parseWatchdogLogLine(raw: string): ParsedWatchdogLine | undefined {
  if (!raw.startsWith('{')) return undefined;
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    entry = parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const executionId = idOf(entry.executionId);
  if (entry.msg === 'function output') {
    const stream = entry.stream === 'stdout' ? 'stdout' : 'stderr';
    const line = typeof entry.line === 'string' ? entry.line : '';
    const id = executionId ?? idOfInnerLine(line);
    return id === undefined ? { stream, line } : { stream, line, executionId: id };
  }
  if (entry.level !== 'warn' && entry.level !== 'error') return undefined;
  const message = typeof entry.msg === 'string' ? entry.msg : '';
  const line = `${entry.level}: ${message}${describeError(entry.error)}`;
  return executionId === undefined ? { stream: 'watchdog', line } : { stream: 'watchdog', line, executionId };
}

function describeError(error: unknown): string {
  if (typeof error === 'string') return `: ${error}`;
  if (error !== null && typeof error === 'object') {
    const { code, message } = error as { code?: unknown; message?: unknown };
    const parts = [typeof code === 'string' ? code : '', typeof message === 'string' ? message : ''];
    const text = parts.filter((part) => part !== '').join(' ');
    return text === '' ? '' : `: ${text}`;
  }
  return '';
}

function idOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value.length <= MAX_EXECUTION_ID_LENGTH
    ? value
    : undefined;
}

function idOfInnerLine(line: string): string | undefined {
  if (!line.startsWith('{') || !line.includes('"executionId"')) return undefined;
  try {
    const inner: unknown = JSON.parse(line);
    if (inner === null || typeof inner !== 'object') return undefined;
    return idOf((inner as { executionId?: unknown }).executionId);
  } catch {
    return undefined;
  }
}
