import type { ErrorInfo } from '@nanofaas/contracts';
import type { Clock } from '../deps/clock.js';
import type { Logger } from '../observability/logger.js';
import type { CounterSeries, HistogramSeries } from '../observability/metrics-registry.js';
import type { PlatformMetrics } from '../observability/platform-metrics.js';
import type { ExecutionQuery, ExecutionSample, ExecutionStore } from '../store/execution-store.js';
import type { ExecutionRecord } from './execution-record.js';
import type { LiveExecution } from './live-execution.js';

export type ExecutionOutcome =
  | {
      readonly status: 'success';
      readonly output: Buffer;
      readonly coldStart?: boolean;
    }
  | { readonly status: 'error' | 'timeout'; readonly error: ErrorInfo; readonly coldStart?: boolean };

type FinalStatus = ExecutionOutcome['status'];

/** A function's metric series for finished executions, labelled once. */
interface FinishedSeries {
  readonly invocations: Record<FinalStatus, CounterSeries>;
  readonly duration: HistogramSeries;
}

/**
 * Executions in memory while they run (and until their end is committed), the store behind them.
 * The one place an execution reaches its final state: `finish` is fenced, so a terminal state is
 * never rewritten.
 */
export class ExecutionTracker {
  private readonly live = new Map<string, LiveExecution>();
  private readonly seriesByFunction = new Map<string, FinishedSeries>();

  constructor(
    private readonly store: ExecutionStore,
    private readonly metrics: PlatformMetrics,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onFinished: (record: ExecutionRecord) => void,
  ) {}

  track(execution: LiveExecution): void {
    this.live.set(execution.record.id, execution);
  }

  get(id: string): ExecutionRecord | undefined {
    return this.live.get(id)?.record ?? this.store.get(id);
  }

  /** Resolves with the record once the execution is terminal. */
  waitForEnd(id: string): Promise<ExecutionRecord | undefined> {
    const execution = this.live.get(id);
    if (!execution || execution.settled) return Promise.resolve(this.get(id));
    return new Promise((resolve) => {
      execution.waiters ??= [];
      execution.waiters.push(resolve);
    });
  }

  list(query: ExecutionQuery): ExecutionRecord[] {
    const stored = this.store.list(query);
    const seen = new Set(stored.map((record) => record.id));
    const live = [...this.live.values()]
      .map((execution) => execution.record)
      .filter(
        (record) =>
          !seen.has(record.id) &&
          (query.functionName === undefined || record.functionName === query.functionName) &&
          (query.status === undefined || record.status === query.status) &&
          (query.createdFrom === undefined || record.createdAt >= query.createdFrom) &&
          (query.createdUntil === undefined || record.createdAt < query.createdUntil) &&
          (query.after === undefined ||
            record.createdAt < query.after.createdAt ||
            (record.createdAt === query.after.createdAt && record.id < query.after.id)),
      );
    return [...live, ...stored]
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
      .slice(0, query.limit);
  }

  /**
   * What the stats API counts: the stored executions created since `fromMs` (at most `limit`, the
   * newest), plus the live ones not stored yet (a sync execution is written when it ends).
   */
  samples(fromMs: number, functionName: string | undefined, limit: number): ExecutionSample[] {
    const stored = this.store.samples(fromMs, functionName, limit);
    const seen = new Set(stored.map((sample) => sample.id));
    const live: ExecutionSample[] = [];
    for (const { record } of this.live.values()) {
      if (seen.has(record.id) || record.createdAt < fromMs) continue;
      if (functionName !== undefined && record.functionName !== functionName) continue;
      live.push({
        id: record.id,
        functionName: record.functionName,
        status: record.status,
        createdAt: record.createdAt,
        startedAt: record.startedAt,
        finishedAt: record.finishedAt,
        coldStart: record.coldStart === true,
      });
    }
    return [...live, ...stored].sort((a, b) => b.createdAt - a.createdAt).slice(0, limit);
  }

  /** Sets the final state once; later calls for the same execution are ignored. */
  finish(execution: LiveExecution, outcome: ExecutionOutcome): boolean {
    if (execution.settled) return false;
    execution.settled = true;
    execution.cancelDeadline?.();
    execution.cancelRetry?.();
    const record = execution.record;
    const now = this.clock.now();
    record.status = outcome.status;
    record.finishedAt = now;
    if (outcome.coldStart !== undefined) record.coldStart = outcome.coldStart;
    if (outcome.status === 'success') {
      record.output = outcome.output;
    } else record.error = outcome.error;

    const series = this.seriesOf(record.functionName);
    series.invocations[outcome.status].inc();
    series.duration.observe((now - (record.startedAt ?? record.createdAt)) / 1000);
    if (outcome.status !== 'success' && this.logger.isLevelEnabled('info')) {
      this.logger.info(
        {
          executionId: record.id,
          traceId: record.traceId,
          function: record.functionName,
          status: outcome.status,
          code: outcome.error.code,
          attempt: record.attempt,
        },
        'execution failed',
      );
    }
    for (const waiter of execution.waiters ?? []) waiter(record);
    execution.waiters = undefined;
    this.store.finish(record, () => {
      if (this.live.get(record.id) === execution) this.live.delete(record.id);
      this.onFinished(record);
    });
    return true;
  }

  private seriesOf(functionName: string): FinishedSeries {
    let series = this.seriesByFunction.get(functionName);
    if (!series) {
      const { invocations, duration } = this.metrics;
      const counter = (status: FinalStatus) => invocations.seriesOf({ function: functionName, status });
      series = {
        invocations: { success: counter('success'), error: counter('error'), timeout: counter('timeout') },
        duration: duration.seriesOf({ function: functionName }),
      };
      this.seriesByFunction.set(functionName, series);
    }
    return series;
  }

  /** Forgets a live execution without finishing it (it stays queued in the store for the next start). */
  release(id: string): void {
    this.live.delete(id);
  }
}
