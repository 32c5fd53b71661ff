import { type ErrorInfo, errorInfo } from '@nanofaas/contracts';
import type { Backend, DeployedFunction, Dispatch, DispatchResult } from '../backends/backend.js';
import { Cancellation } from '../backends/cancellation.js';
import type { Clock } from '../deps/clock.js';
import type { ExecutionTracker } from '../executions/execution-tracker.js';
import type { LiveExecution } from '../executions/live-execution.js';
import type { Logger } from '../observability/logger.js';
import type { PlatformMetrics } from '../observability/platform-metrics.js';
import type { CompletionRegistry, OpenCompletionChannel } from './completion-registry.js';
import { FunctionLane } from './function-lane.js';
import { type RetryPolicyOptions, retryDelayMs, shouldRetry } from './retry-policy.js';

export interface SchedulerDeps {
  readonly backend: Backend;
  readonly tracker: ExecutionTracker;
  readonly completions: CompletionRegistry;
  readonly metrics: PlatformMetrics;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly retry: RetryPolicyOptions;
}

/**
 * Per-function bounded FIFO queues, a concurrency cap per function, round-robin dispatch across
 * functions, retries with backoff, and sync deadlines (DESIGN.md §4). It decides when an execution
 * moves; the ExecutionTracker, which owns the state machine, moves it.
 */
export class Scheduler {
  private readonly lanes = new Map<string, FunctionLane>();
  /** Lanes with queued work, in round-robin order. */
  private readonly ready = new Set<FunctionLane>();
  private pumping = false;
  private pumpAgain = false;
  private stopping = false;
  private readonly idleWaiters: Array<() => void> = [];
  private inFlightTotal = 0;
  private readonly liveInFlight = new Set<LiveExecution>();

  constructor(private readonly deps: SchedulerDeps) {}

  setFunction(fn: DeployedFunction): void {
    const lane = this.lanes.get(fn.spec.name);
    if (lane) lane.fn = fn;
    else this.lanes.set(fn.spec.name, new FunctionLane(fn));
    this.pump();
  }

  /** Ends every queued or backing-off execution of the function as FUNCTION_DELETED. */
  removeFunction(name: string): void {
    const lane = this.lanes.get(name);
    if (!lane) return;
    this.lanes.delete(name);
    this.ready.delete(lane);
    const error = errorInfo('FUNCTION_DELETED', `function "${name}" was deleted before this execution ran`);
    for (const execution of [...lane.drain(), ...lane.retrying]) {
      this.deps.tracker.finish(execution, { status: 'error', error });
    }
    lane.retrying.clear();
  }

  /** Ends the function's queued sync executions with `error` (the backend reports it failed). */
  failQueuedSync(name: string, error: ErrorInfo): void {
    const lane = this.lanes.get(name);
    if (!lane) return;
    const kept = lane.drain().filter((execution) => {
      if (execution.settled) return false;
      if (execution.record.kind !== 'sync') return true;
      this.deps.tracker.finish(execution, { status: 'error', error });
      return false;
    });
    for (const execution of kept) lane.push(execution);
    if (lane.queued === 0) this.ready.delete(lane);
  }

  /** Whether the function's queue has room for one more (`queueSize`). */
  hasQueueRoom(name: string): boolean {
    const lane = this.lanes.get(name);
    return lane !== undefined && lane.queued < lane.fn.spec.queueSize;
  }

  queuedCount(name: string): number {
    return this.lanes.get(name)?.queued ?? 0;
  }

  inFlightCount(name: string): number {
    return this.lanes.get(name)?.inFlight ?? 0;
  }

  *queueDepths(): Iterable<[string, number]> {
    for (const [name, lane] of this.lanes) yield [name, lane.queued];
  }

  *inFlightCounts(): Iterable<[string, number]> {
    for (const [name, lane] of this.lanes) yield [name, lane.inFlight];
  }

  /** Queues an execution; a sync one ends as `timeout` if its deadline passes first. */
  submit(execution: LiveExecution): void {
    if (this.stopping) {
      this.release(execution, errorInfo('SHUTTING_DOWN', 'the control plane is shutting down'));
      return;
    }
    const lane = this.lanes.get(execution.record.functionName);
    if (!lane) {
      const error = errorInfo(
        'FUNCTION_DELETED',
        `function "${execution.record.functionName}" is not registered`,
      );
      this.deps.tracker.finish(execution, { status: 'error', error });
      return;
    }
    if (execution.deadline !== undefined) {
      const waitMs = Math.max(0, execution.deadline - this.deps.clock.now());
      execution.cancelDeadline = this.deps.clock.setTimer(() => this.expire(execution, waitMs), waitMs);
    }
    lane.push(execution);
    this.ready.add(lane);
    this.pump();
  }

  /**
   * After a restart, a REMOTE execution whose attempt `previousAttempt` was running: the backend is
   * asked whether that run is still alive (Backend.recoverRun) and its result is this attempt's;
   * when nothing of it is alive the execution is queued as `submit` does, with its higher attempt.
   */
  resume(execution: LiveExecution, previousAttempt: number): void {
    const lane = this.lanes.get(execution.record.functionName);
    if (this.stopping || !lane || this.deps.backend.recoverRun === undefined) {
      this.submit(execution);
      return;
    }
    this.dispatch(lane, execution, previousAttempt);
  }

  /**
   * Stops dispatching; waits up to `graceMs` for attempts in flight, then aborts them. Async
   * executions that did not finish stay queued in the store and run again on the next start.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const shutdown = errorInfo('SHUTTING_DOWN', 'the control plane is shutting down');
    for (const lane of this.lanes.values()) {
      for (const execution of [...lane.drain(), ...lane.retrying]) this.release(execution, shutdown);
      lane.retrying.clear();
    }
    this.ready.clear();
    await this.waitForIdle(graceMs);
    for (const execution of this.liveInFlight)
      execution.attemptCancellation?.abort(new Error('shutting down'));
    // Backends settle promptly once aborted; the bound only guards against one that does not.
    await this.waitForIdle(5000);
  }

  private waitForIdle(maxMs: number): Promise<void> {
    if (this.inFlightTotal === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const cancel = this.deps.clock.setTimer(resolve, maxMs);
      this.idleWaiters.push(() => {
        cancel();
        resolve();
      });
    });
  }

  /** Shutdown: a sync caller gets SHUTTING_DOWN; an async execution stays queued for the next start. */
  private release(execution: LiveExecution, error: ErrorInfo): void {
    execution.cancelRetry?.();
    if (execution.record.kind === 'sync') this.deps.tracker.finish(execution, { status: 'error', error });
    else this.deps.tracker.release(execution.record.id);
  }

  private expire(execution: LiveExecution, waitedMs: number): void {
    const error = errorInfo('TIMEOUT', `no result within ${waitedMs} ms`);
    if (this.deps.tracker.finish(execution, { status: 'timeout', error })) {
      execution.attemptCancellation?.abort(new Error('the caller timed out'));
      const lane = this.lanes.get(execution.record.functionName);
      if (lane && lane.queued > 0) lane.compact();
    }
  }

  /** Dispatches while some function has queued work and room, one per function per round. */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        let progressed = true;
        while (progressed && this.ready.size > 0 && !this.stopping) {
          progressed = false;
          for (const lane of this.ready) {
            if (!lane.hasRoomToDispatch) continue;
            const execution = lane.shift();
            if (lane.queued === 0) this.ready.delete(lane);
            if (!execution) continue;
            progressed = true;
            if (execution.settled) continue;
            // Move the lane to the back of the round-robin order.
            if (this.ready.delete(lane)) this.ready.add(lane);
            this.dispatch(lane, execution);
          }
        }
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  private dispatch(lane: FunctionLane, execution: LiveExecution, recovering?: number): void {
    lane.inFlight += 1;
    this.inFlightTotal += 1;
    this.liveInFlight.add(execution);
    const ended = () => {
      lane.inFlight -= 1;
      this.inFlightTotal -= 1;
      this.liveInFlight.delete(execution);
      if (this.inFlightTotal === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      this.pump();
    };
    // One reaction per attempt (not .catch().finally(): two more promises on the hot path).
    this.runAttempt(lane.fn, execution, recovering).then(ended, (error: unknown) => {
      try {
        this.deps.logger.error({ err: error, executionId: execution.record.id }, 'scheduler failure');
        this.deps.tracker.finish(execution, {
          status: 'error',
          error: errorInfo('INTERNAL_ERROR', 'the scheduler failed while running this execution'),
        });
      } finally {
        ended();
      }
    });
  }

  /** One attempt; `recovering`: the number of a run from before a restart that may still be alive. */
  private async runAttempt(
    fn: DeployedFunction,
    execution: LiveExecution,
    recovering?: number,
  ): Promise<void> {
    const { record } = execution;
    const { clock, backend, metrics, tracker } = this.deps;
    const now = clock.now();
    if (!tracker.start(execution, now)) return;
    const remaining = execution.deadline === undefined ? Infinity : execution.deadline - now;
    const timeoutMs = Math.max(1, Math.min(fn.spec.timeoutMs, remaining));
    const cancellation = new Cancellation();
    execution.attemptCancellation = cancellation;
    // The record's attempt fences late results; a recovered run reports under its own number.
    const fence = record.attempt;
    const attempt = recovering ?? record.attempt;
    const completion: OpenCompletionChannel | undefined =
      fn.spec.executionMode === 'REMOTE' ? this.deps.completions.open(record.id, attempt) : undefined;
    const dispatch: Dispatch = {
      executionId: record.id,
      attempt,
      traceId: record.traceId,
      traceparent: execution.traceparent,
      requestBody: execution.requestBody,
      timeoutMs,
      get signal() {
        return cancellation.signal;
      },
      cancellation,
      ...(completion ? { completion } : {}),
    };
    let result: DispatchResult | undefined;
    try {
      result =
        recovering === undefined
          ? await backend.invoke(fn, dispatch)
          : await backend.recoverRun?.(fn, dispatch).catch(() => undefined);
    } finally {
      completion?.close();
      execution.attemptCancellation = undefined;
    }
    if (result === undefined) {
      // Nothing of the old run is alive: a new attempt (already numbered higher) runs as usual.
      if (tracker.requeue(execution, fence, 'run-gone')) this.requeueFront(execution);
      return;
    }
    if (result.coldStart) metrics.coldStarts.inc({ function: record.functionName });
    if (!tracker.isCurrent(execution, fence)) return;
    if (this.stopping && cancellation.aborted) {
      this.requeueForNextStart(execution, fence);
      return;
    }
    if (result.ok) {
      tracker.finish(
        execution,
        {
          status: 'success',
          output: result.output,
          coldStart: result.coldStart,
          initDurationMs: result.initDurationMs,
        },
        fence,
      );
      return;
    }
    if (shouldRetry(result.error, fence, fn.spec.maxRetries) && !this.stopping) {
      const delayMs = retryDelayMs(fence, this.deps.retry);
      if (execution.deadline === undefined || clock.now() + delayMs < execution.deadline) {
        this.scheduleRetry(execution, fence, delayMs, result.error);
        return;
      }
    }
    const status = result.error.code === 'TIMEOUT' ? 'timeout' : 'error';
    const { coldStart, initDurationMs } = result;
    tracker.finish(execution, { status, error: result.error, coldStart, initDurationMs }, fence);
  }

  private scheduleRetry(execution: LiveExecution, fence: number, delayMs: number, error: ErrorInfo): void {
    const { record } = execution;
    const lane = this.lanes.get(record.functionName);
    if (!lane) {
      // Deleted while this attempt ran: nothing will run it again.
      const deleted = errorInfo('FUNCTION_DELETED', `function "${record.functionName}" was deleted`);
      this.deps.tracker.finish(execution, { status: 'error', error: deleted }, fence);
      return;
    }
    if (!this.deps.tracker.requeue(execution, fence, 'retry')) return;
    this.deps.metrics.retries.inc({ function: record.functionName });
    this.deps.logger.debug(
      { executionId: record.id, traceId: record.traceId, attempt: record.attempt, code: error.code, delayMs },
      'retrying execution',
    );
    lane.retrying.add(execution);
    execution.cancelRetry = this.deps.clock.setTimer(() => {
      execution.cancelRetry = undefined;
      lane.retrying.delete(execution);
      const current = this.lanes.get(record.functionName);
      if (execution.settled || this.stopping || !current) return;
      current.pushFront(execution);
      this.ready.add(current);
      this.pump();
    }, delayMs);
  }

  private requeueFront(execution: LiveExecution): void {
    const lane = this.lanes.get(execution.record.functionName);
    if (!lane || this.stopping) {
      this.submit(execution);
      return;
    }
    lane.pushFront(execution);
    this.ready.add(lane);
  }

  /**
   * An async attempt cut short by shutdown: queued again under the same attempt number; the next
   * start's recovery raises it (ExecutionStore.recoverActive), so the rerun carries a higher one.
   */
  private requeueForNextStart(execution: LiveExecution, fence: number): void {
    if (execution.record.kind === 'sync') {
      const error = errorInfo('SHUTTING_DOWN', 'the control plane shut down while this execution ran');
      this.deps.tracker.finish(execution, { status: 'error', error }, fence);
      return;
    }
    this.deps.tracker.requeue(execution, fence, 'shutdown');
  }
}
