import type { ErrorInfo } from '@nanofaas/contracts';
import type { Clock } from '../deps/clock.js';
import type { Logger } from '../observability/logger.js';
import type { CounterSeries, HistogramSeries } from '../observability/metrics-registry.js';
import type { PlatformMetrics } from '../observability/platform-metrics.js';
import type { ExecutionQuery, ExecutionSample, ExecutionStore } from '../store/execution-store.js';
import type { ExecutionRecord, WritableExecutionRecord } from './execution-record.js';
import { canMove, type RequeueReason } from './execution-transitions.js';
import type { LiveExecution } from './live-execution.js';

/** How an execution started, when the backend knows: a cold start and the runtime's init time. */
interface StartFacts {
  readonly coldStart?: boolean;
  readonly initDurationMs?: number;
}

export type ExecutionOutcome =
  | ({ readonly status: 'success'; readonly output: Buffer } & StartFacts)
  | ({ readonly status: 'error' | 'timeout'; readonly error: ErrorInfo } & StartFacts);

type FinalStatus = ExecutionOutcome['status'];

/** A function's metric series for finished executions, labelled once. */
interface FinishedSeries {
  readonly invocations: Record<FinalStatus, CounterSeries>;
  readonly duration: HistogramSeries;
}

/** An unfinished execution found at startup, and the attempt that was running when the last process stopped. */
export interface RecoveredExecution {
  readonly record: ExecutionRecord;
  readonly runningAttempt: number | undefined;
}

/**
 * The owner of the execution state machine `queued → running → success | error | timeout`
 * (DESIGN.md §4, docs/lifecycle.md §3): the only writer of an execution's state, in memory and in
 * the store. The scheduler, the invocation service and recovery ask it to move an execution; it
 * refuses a move the state machine does not allow (execution-transitions.ts), so a terminal state
 * is never rewritten, and a result is fenced by execution and attempt: one for an attempt that is
 * no longer current is dropped. It also keeps executions in memory while they run (and until their
 * end is committed) and answers reads from memory, then the store.
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

  /** A new execution (queued, attempt 1) enters the state machine; sync ones live in memory only. */
  track(execution: LiveExecution): void {
    this.live.set(execution.record.id, execution);
  }

  /**
   * Commits a tracked async execution as queued, with `alsoWrite` in the same transaction; resolves
   * once it is durable. When the commit fails the execution is forgotten and the error rethrown.
   */
  async commitQueued(execution: LiveExecution, alsoWrite?: () => void): Promise<void> {
    try {
      await this.store.insertQueued(execution.record, alsoWrite);
    } catch (error) {
      this.release(execution.record.id);
      throw error;
    }
  }

  /**
   * Startup recovery: every unfinished execution in the store goes back to queued with a higher
   * attempt (ExecutionStore.recoverActive), oldest first; the caller tracks and dispatches them.
   */
  recoverActive(): RecoveredExecution[] {
    const wasRunning = this.store.runningAttempts();
    return this.store
      .recoverActive()
      .map((record) => ({ record, runningAttempt: wasRunning.get(record.id) }));
  }

  /**
   * queued → running: the scheduler hands the current attempt to the backend at `now`. False when
   * the execution is not queued (it ended meanwhile): nothing is dispatched then.
   */
  start(execution: LiveExecution, now: number): boolean {
    const record = execution.record as WritableExecutionRecord;
    if (!canMove(record.status, 'dispatch')) return false;
    record.status = 'running';
    record.startedAt ??= now;
    this.store.markRunning(record);
    return true;
  }

  /** Whether a result of `attempt` is still wanted: the execution has not ended and it is current. */
  isCurrent(execution: LiveExecution, attempt: number): boolean {
    return !execution.settled && execution.record.attempt === attempt;
  }

  /**
   * running → queued, for `reason` (see RequeueReason); fenced by `attempt` like `finish`. A retry
   * raises the attempt; after `shutdown` the execution is forgotten here and waits in the store.
   */
  requeue(execution: LiveExecution, attempt: number, reason: RequeueReason): boolean {
    const record = execution.record as WritableExecutionRecord;
    if (!this.isCurrent(execution, attempt) || !canMove(record.status, 'requeue')) return false;
    record.status = 'queued';
    switch (reason) {
      case 'retry':
        record.attempt += 1;
        break;
      case 'run-gone':
        // Recovery raised the attempt already; the store stops showing a run that is not there.
        break;
      case 'shutdown':
        // The next start's recovery raises the attempt (ExecutionStore.recoverActive).
        this.release(record.id);
        break;
      default: {
        const unknown: never = reason;
        throw new Error(`unknown requeue reason ${String(unknown)}`);
      }
    }
    this.store.markRequeued(record);
    return true;
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

  /**
   * Sets the final state once: false (and nothing changes) when the execution already ended or
   * `attempt` is no longer its current one — a late or duplicate result. Callers that end the
   * execution itself rather than an attempt's run (deadline, delete, shutdown) omit `attempt`.
   */
  finish(execution: LiveExecution, outcome: ExecutionOutcome, attempt = execution.record.attempt): boolean {
    const record = execution.record as WritableExecutionRecord;
    if (!this.isCurrent(execution, attempt) || !canMove(record.status, 'finish')) return false;
    (execution as { settled: boolean }).settled = true;
    execution.cancelDeadline?.();
    execution.cancelRetry?.();
    const now = this.clock.now();
    record.status = outcome.status;
    record.finishedAt = now;
    if (outcome.coldStart !== undefined) record.coldStart = outcome.coldStart;
    if (outcome.initDurationMs !== undefined) record.initDurationMs = outcome.initDurationMs;
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
