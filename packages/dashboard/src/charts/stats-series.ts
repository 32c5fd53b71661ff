import type { ExecutionStats } from '@nanofaas/contracts';

/** One line of a chart: a label, a colour and one value per point (null: no value there). */
export interface ChartLine {
  readonly label: string;
  readonly color: string;
  readonly values: ReadonlyArray<number | null>;
}

/** Points in time (seconds since the epoch, as uPlot wants them) and the lines over them. */
export interface ChartData {
  readonly times: readonly number[];
  readonly lines: readonly ChartLine[];
}

const COLORS = { success: '#2f9e44', error: '#e03131', timeout: '#f08c00', p50: '#1971c2', p95: '#9c36b5' };

function times(stats: ExecutionStats): number[] {
  return stats.series.map((bucket) => Date.parse(bucket.start) / 1000);
}

/** Invocations per second of each bucket, by final status (running and queued ones are not finished). */
export function throughputChart(stats: ExecutionStats): ChartData {
  const seconds = stats.bucketMs / 1000;
  const rate = (pick: (counts: ExecutionStats['counts']) => number) =>
    stats.series.map((bucket) => Math.round((pick(bucket.counts) / seconds) * 1000) / 1000);
  return {
    times: times(stats),
    lines: [
      { label: 'success/s', color: COLORS.success, values: rate((c) => c.success) },
      { label: 'error/s', color: COLORS.error, values: rate((c) => c.error) },
      { label: 'timeout/s', color: COLORS.timeout, values: rate((c) => c.timeout) },
    ],
  };
}

/** p50 and p95 latency (ms) of each bucket; null where nothing finished. */
export function latencyChart(stats: ExecutionStats): ChartData {
  return {
    times: times(stats),
    lines: [
      { label: 'p50 ms', color: COLORS.p50, values: stats.series.map((bucket) => bucket.latencyMs.p50) },
      { label: 'p95 ms', color: COLORS.p95, values: stats.series.map((bucket) => bucket.latencyMs.p95) },
    ],
  };
}
