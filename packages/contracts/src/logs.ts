import { type Static, Type } from '@sinclair/typebox';
import { FunctionNameSchema } from './function-name.js';

export const LOG_STREAMS = ['stdout', 'stderr', 'watchdog'] as const;
/**
 * Where a log line came from: the function's stdout (when stdout is not its result channel), its
 * stderr, or a warning or error of the watchdog about the function (a timeout, a crash, a restart).
 */
export type LogStream = (typeof LOG_STREAMS)[number];

/** Bounds of the log API's query parameters (GET /v1/functions/{name}/logs, /v1/executions/{id}/logs). */
export const LogQueryLimits = Object.freeze({ defaultLimit: 1000, maxLimit: 10_000 });

/** Media type of a followed log stream: one LogEntry JSON object per line (NDJSON). */
export const LOG_STREAM_CONTENT_TYPE = 'application/x-ndjson';

export const LogEntrySchema = Type.Object(
  {
    timestamp: Type.String({
      format: 'date-time',
      description: 'When the control plane received the line (RFC 3339, milliseconds).',
    }),
    functionName: FunctionNameSchema,
    executionId: Type.Optional(
      Type.String({
        description: 'The execution the line belongs to, when the watchdog or runtime tagged it.',
      }),
    ),
    stream: Type.Union([Type.Literal('stdout'), Type.Literal('stderr'), Type.Literal('watchdog')]),
    line: Type.String({ description: 'The text, without its newline; cut at the configured length.' }),
    truncated: Type.Optional(Type.Boolean({ description: 'true when `line` was cut.' })),
    instance: Type.Optional(Type.String({ description: 'The replica or run that wrote it.' })),
  },
  { $id: 'LogEntry', additionalProperties: false },
);
export type LogEntry = Static<typeof LogEntrySchema>;

export const LogListSchema = Type.Object(
  {
    items: Type.Array(LogEntrySchema, { description: 'Oldest first.' }),
    dropped: Type.Optional(
      Type.Boolean({ description: 'true when older lines matching the query were already evicted.' }),
    ),
  },
  { $id: 'LogList', additionalProperties: false },
);
export type LogList = Static<typeof LogListSchema>;

const DURATION_UNITS_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `since` as a duration back from now: 90s, 10m, 2h, 1d, 500ms. */
export const LOG_SINCE_DURATION_PATTERN = '^(\\d{1,12})(ms|s|m|h|d)$';
const durationPattern = new RegExp(LOG_SINCE_DURATION_PATTERN);

/**
 * Parses a log query's `since`: an RFC 3339 timestamp, or a duration back from `nowMs` such as
 * `90s`, `10m`, `2h`, `1d`. Returns epoch milliseconds, or undefined when the text is neither.
 */
export function parseLogSince(text: string, nowMs: number): number | undefined {
  const duration = durationPattern.exec(text);
  if (duration) return nowMs - Number(duration[1]) * (DURATION_UNITS_MS[duration[2]!] ?? 0);
  // RFC 3339 §5.6: "T" and "Z" may be lower case.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) return undefined;
  const ms = Date.parse(text.toUpperCase());
  return Number.isNaN(ms) ? undefined : ms;
}
