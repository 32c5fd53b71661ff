import { type Static, Type } from '@sinclair/typebox';
import { FunctionNameSchema } from './function-name.js';

/**
 * Bounds of the stats API (GET /v1/stats, GET /v1/functions/{name}/stats). The window is a duration
 * such as `5m`; the work is bounded by `maxSamples` executions, the most recent of the window.
 */
export const StatsLimits = Object.freeze({
  defaultWindow: '5m',
  minWindowMs: 10_000,
  maxWindowMs: 3_600_000,
  /** Points of each series: the window is cut into this many equal buckets. */
  buckets: 30,
  maxSamples: 20_000,
});

/**
 * Exactly the windows parseStatsWindow accepts (10s … 3600s, 1m … 60m, 1h), for the OpenAPI
 * document: a schema-valid window is never refused.
 */
export const STATS_WINDOW_PATTERN =
  '^(([1-9][0-9]|[1-9][0-9]{2}|[12][0-9]{3}|3[0-5][0-9]{2}|3600)s|([1-9]|[1-5][0-9]|60)m|1h)$';

/** `30s`, `5m`, `1h`: the stats window in milliseconds, or undefined when the text is not one. */
export function parseStatsWindow(text: string): number | undefined {
  const match = /^([1-9][0-9]{0,4})(s|m|h)$/.exec(text);
  if (!match) return undefined;
  const unitMs = match[2] === 's' ? 1000 : match[2] === 'm' ? 60_000 : 3_600_000;
  const ms = Number(match[1]) * unitMs;
  return ms >= StatsLimits.minWindowMs && ms <= StatsLimits.maxWindowMs ? ms : undefined;
}

const Count = Type.Integer({ minimum: 0 });
const Millis = Type.Union([Type.Number({ minimum: 0 }), Type.Null()], {
  description: 'Milliseconds; null when no execution finished in the window.',
});

export const StatusCountsSchema = Type.Object(
  { success: Count, error: Count, timeout: Count, queued: Count, running: Count },
  {
    $id: 'StatusCounts',
    additionalProperties: false,
    description: 'Executions created in the window, by their status now.',
  },
);
export type StatusCounts = Static<typeof StatusCountsSchema>;

export const LatencySummarySchema = Type.Object(
  { p50: Millis, p95: Millis },
  {
    $id: 'LatencySummary',
    additionalProperties: false,
    description: 'Percentiles of durationMs (start to finish) of the finished executions.',
  },
);
export type LatencySummary = Static<typeof LatencySummarySchema>;

export const StatsBucketSchema = Type.Object(
  {
    start: Type.String({ format: 'date-time', description: 'Start of the bucket (it lasts bucketMs).' }),
    counts: StatusCountsSchema,
    latencyMs: LatencySummarySchema,
  },
  { $id: 'StatsBucket', additionalProperties: false },
);
export type StatsBucket = Static<typeof StatsBucketSchema>;

const summaryFields = {
  total: Type.Integer({ minimum: 0, description: 'Executions created in the window.' }),
  counts: StatusCountsSchema,
  errorRate: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], {
    description: '(error + timeout) / finished; null when none finished.',
  }),
  latencyMs: LatencySummarySchema,
  coldStarts: Type.Integer({ minimum: 0 }),
  inFlight: Type.Integer({ minimum: 0, description: 'Dispatched and not yet answered, now.' }),
  queued: Type.Integer({ minimum: 0, description: 'Waiting in the control plane for dispatch, now.' }),
};

export const FunctionStatsSummarySchema = Type.Object(
  { functionName: FunctionNameSchema, ...summaryFields },
  { $id: 'FunctionStatsSummary', additionalProperties: false },
);
export type FunctionStatsSummary = Static<typeof FunctionStatsSummarySchema>;

/**
 * Execution statistics of a time window, computed from the stored executions: of one function
 * (GET /v1/functions/{name}/stats) or of all (GET /v1/stats, with a summary per function).
 */
export const ExecutionStatsSchema = Type.Object(
  {
    window: Type.String({ description: 'The window asked for, e.g. "5m".' }),
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time' }),
    bucketMs: Type.Integer({ minimum: 1 }),
    sampled: Type.Boolean({
      description: `true when the window held more executions than the ${StatsLimits.maxSamples} most recent that were counted.`,
    }),
    functionName: Type.Optional(FunctionNameSchema),
    ...summaryFields,
    series: Type.Array(StatsBucketSchema, { description: 'Oldest first.' }),
    functions: Type.Optional(Type.Array(FunctionStatsSummarySchema)),
  },
  { $id: 'ExecutionStats', additionalProperties: false },
);
export type ExecutionStats = Static<typeof ExecutionStatsSchema>;
