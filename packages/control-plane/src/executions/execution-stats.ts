import type {
  ExecutionStats,
  FunctionStatsSummary,
  LatencySummary,
  StatsBucket,
  StatusCounts,
} from '@nanofaas/contracts';
import type { ExecutionSample } from '../store/execution-store.js';

export interface StatsWindow {
  /** The window as asked for, e.g. "5m". */
  readonly text: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly buckets: number;
}

/** In flight and queued now, per function (the scheduler's lanes). */
export interface FunctionLoad {
  inFlight(name: string): number;
  queued(name: string): number;
}

export interface StatsOptions {
  readonly window: StatsWindow;
  readonly load: FunctionLoad;
  /** True when the samples were cut at the limit (the oldest of the window are missing). */
  readonly sampled: boolean;
  /** One function's stats; undefined: every function's, with a summary per function. */
  readonly functionName: string | undefined;
  /** Functions to list even without executions in the window (GET /v1/stats). */
  readonly functionNames: readonly string[];
}

/** The stats of a window from its executions (newest first or in any order): one pass plus sorts. */
export function computeExecutionStats(
  samples: readonly ExecutionSample[],
  options: StatsOptions,
): ExecutionStats {
  const { window, load } = options;
  const bucketMs = Math.max(1, Math.ceil((window.toMs - window.fromMs) / window.buckets));
  const buckets = Array.from({ length: window.buckets }, () => new Tally());
  const total = new Tally();
  const perFunction = new Map<string, Tally>();
  if (options.functionName === undefined)
    for (const name of options.functionNames) perFunction.set(name, new Tally());
  for (const sample of samples) {
    const index = Math.floor((sample.createdAt - window.fromMs) / bucketMs);
    if (index < 0) continue;
    buckets[Math.min(index, buckets.length - 1)]!.add(sample);
    total.add(sample);
    if (options.functionName === undefined) {
      let tally = perFunction.get(sample.functionName);
      if (tally === undefined) {
        tally = new Tally();
        perFunction.set(sample.functionName, tally);
      }
      tally.add(sample);
    }
  }
  const loadOf = (names: readonly string[]) => ({
    inFlight: names.reduce((sum, name) => sum + load.inFlight(name), 0),
    queued: names.reduce((sum, name) => sum + load.queued(name), 0),
  });
  const series: StatsBucket[] = buckets.map((tally, index) => ({
    start: new Date(window.fromMs + index * bucketMs).toISOString(),
    counts: tally.counts,
    latencyMs: tally.latency(),
  }));
  const names = options.functionName === undefined ? [...perFunction.keys()] : [options.functionName];
  const stats: ExecutionStats = {
    window: window.text,
    from: new Date(window.fromMs).toISOString(),
    to: new Date(window.toMs).toISOString(),
    bucketMs,
    sampled: options.sampled,
    ...(options.functionName === undefined ? {} : { functionName: options.functionName }),
    ...total.summary(),
    ...loadOf(names),
    series,
  };
  if (options.functionName === undefined) {
    stats.functions = [...perFunction.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(
        ([name, tally]): FunctionStatsSummary => ({
          functionName: name,
          ...tally.summary(),
          ...loadOf([name]),
        }),
      );
  }
  return stats;
}

/** Counts and durations of a set of executions. */
class Tally {
  readonly counts: StatusCounts = { success: 0, error: 0, timeout: 0, queued: 0, running: 0 };
  private readonly durations: number[] = [];
  private coldStarts = 0;

  add(sample: ExecutionSample): void {
    this.counts[sample.status] += 1;
    if (sample.coldStart) this.coldStarts += 1;
    if (sample.finishedAt !== undefined) {
      this.durations.push(Math.max(0, sample.finishedAt - (sample.startedAt ?? sample.createdAt)));
    }
  }

  latency(): LatencySummary {
    if (this.durations.length === 0) return { p50: null, p95: null };
    const sorted = Float64Array.from(this.durations).sort();
    return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95) };
  }

  summary() {
    const { success, error, timeout, queued, running } = this.counts;
    const finished = success + error + timeout;
    return {
      total: success + error + timeout + queued + running,
      counts: { ...this.counts },
      errorRate: finished === 0 ? null : (error + timeout) / finished,
      latencyMs: this.latency(),
      coldStarts: this.coldStarts,
    };
  }
}

/** Nearest-rank percentile of sorted values (https://en.wikipedia.org/wiki/Percentile#The_nearest-rank_method). */
function percentile(sorted: Float64Array, fraction: number): number {
  const rank = Math.ceil(fraction * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}
