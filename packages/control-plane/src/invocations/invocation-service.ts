import { createHash } from 'node:crypto';
import { PlatformError } from '@nanofaas/contracts';
import { type RateLimiter, RejectedError } from '../admission/rate-limiter.js';
import type { Clock } from '../deps/clock.js';
import type { IdGenerator } from '../deps/id-generator.js';
import type { ExecutionKind, ExecutionRecord } from '../executions/execution-record.js';
import type { ExecutionTracker } from '../executions/execution-tracker.js';
import type { LiveExecution } from '../executions/live-execution.js';
import type { FunctionRegistry } from '../functions/function-registry.js';
import type { PlatformMetrics } from '../observability/platform-metrics.js';
import type { TraceContext } from '../observability/trace-context.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { IdempotencyStore } from '../store/idempotency-store.js';

export interface InvocationOptions {
  readonly trace: TraceContext;
  readonly idempotencyKey?: string;
  /** Sync: how long the caller waits (X-Timeout-Ms); defaults to the function's timeoutMs. */
  readonly timeoutMs?: number;
  /** Async: X-Callback-Url. */
  readonly callbackUrl?: string;
}

export interface Admitted {
  readonly record: ExecutionRecord;
  /** True when an Idempotency-Key matched an earlier execution. */
  readonly replayed: boolean;
}

export interface InvocationServiceDeps {
  readonly registry: FunctionRegistry;
  readonly scheduler: Scheduler;
  readonly tracker: ExecutionTracker;
  readonly idempotency: IdempotencyStore;
  readonly rateLimiter: RateLimiter;
  readonly metrics: PlatformMetrics;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** A sync request up to this size is stored with its execution (NANOFAAS_SYNC_INPUT_MAX_BYTES). */
  readonly syncInputMaxBytes: number;
}

/** Seconds a caller is told to wait when a queue is full: queues drain at the function's pace. */
const QUEUE_FULL_RETRY_AFTER_SECONDS = 1;

/**
 * Admission and creation of executions, in order (docs/lifecycle.md): shutting down → function
 * exists → idempotency replay or conflict → rate limits → queue room → create → queue.
 */
export class InvocationService {
  private admitting = true;

  constructor(private readonly deps: InvocationServiceDeps) {}

  stopAdmitting(): void {
    this.admitting = false;
  }

  /** Runs the function and resolves with the execution once it ended (or the caller's wait did). */
  async invoke(name: string, request: Buffer, options: InvocationOptions): Promise<Admitted> {
    const { record, replayed, live } = this.admit(name, request, options, 'sync');
    if (live) this.deps.scheduler.submit(live);
    if (replayed && record.status !== 'success' && record.status !== 'error' && record.status !== 'timeout') {
      const waitMs = options.timeoutMs ?? this.deps.registry.deployed(name)!.spec.timeoutMs;
      return { record: await this.waitBounded(record.id, waitMs), replayed };
    }
    if (!live) return { record, replayed };
    const ended = await this.deps.tracker.waitForEnd(record.id);
    return { record: ended ?? record, replayed };
  }

  /** Commits the execution to the store, then queues it; resolves once it is durable. */
  async enqueue(name: string, request: Buffer, options: InvocationOptions): Promise<Admitted> {
    const { record, replayed, live, rememberKey } = this.admit(name, request, options, 'async');
    if (!live) return { record, replayed };
    await this.deps.tracker.commitQueued(live, rememberKey);
    this.deps.scheduler.submit(live);
    return { record, replayed };
  }

  private admit(name: string, request: Buffer, options: InvocationOptions, kind: ExecutionKind) {
    const { registry, scheduler, tracker, idempotency, rateLimiter, clock, ids, metrics } = this.deps;
    if (!this.admitting) throw new PlatformError('SHUTTING_DOWN', 'the control plane is shutting down');
    const fn = registry.deployed(name);
    if (!fn) throw new PlatformError('FUNCTION_NOT_FOUND', `function "${name}" is not registered`);
    const now = clock.now();

    let requestHash: string | undefined;
    if (options.idempotencyKey !== undefined) {
      requestHash = createHash('sha256').update(request).digest('base64url');
      const earlier = idempotency.find(name, options.idempotencyKey, now);
      const earlierRecord = earlier ? tracker.get(earlier.executionId) : undefined;
      if (earlier && earlierRecord) {
        if (earlier.requestHash !== requestHash) {
          throw new PlatformError(
            'IDEMPOTENCY_CONFLICT',
            `Idempotency-Key "${options.idempotencyKey}" was used for function "${name}" with a different payload`,
          );
        }
        return { record: earlierRecord, replayed: true, live: undefined, rememberKey: undefined };
      }
    }

    try {
      rateLimiter.admit(name);
      if (!scheduler.hasQueueRoom(name)) {
        throw new RejectedError(
          'QUEUE_FULL',
          `queue of "${name}" is full (${fn.spec.queueSize} waiting)`,
          QUEUE_FULL_RETRY_AFTER_SECONDS,
        );
      }
    } catch (error) {
      if (error instanceof RejectedError) metrics.rateLimited.inc({ function: name, reason: error.code });
      throw error;
    }

    const record: ExecutionRecord = {
      id: ids.executionId(),
      functionName: name,
      kind,
      status: 'queued',
      attempt: 1,
      createdAt: now,
      traceId: options.trace.traceId,
      // Async requests are kept for a restart; a sync one only to show its input, when small.
      ...(kind === 'async' || request.length <= this.deps.syncInputMaxBytes ? { request } : {}),
      ...(options.callbackUrl ? { callbackUrl: options.callbackUrl } : {}),
    };
    const live: LiveExecution = {
      record,
      requestBody: request,
      traceparent: options.trace.traceparent,
      settled: false,
      ...(kind === 'sync' ? { deadline: now + (options.timeoutMs ?? fn.spec.timeoutMs) } : {}),
    };
    tracker.track(live);
    let rememberKey: (() => void) | undefined;
    if (options.idempotencyKey !== undefined && requestHash !== undefined) {
      if (kind === 'sync')
        idempotency.rememberLater(name, options.idempotencyKey, requestHash, record.id, now);
      else rememberKey = idempotency.remember(name, options.idempotencyKey, requestHash, record.id, now);
    }
    return { record, replayed: false, live, rememberKey };
  }

  private async waitBounded(id: string, waitMs: number): Promise<ExecutionRecord> {
    let cancel: (() => void) | undefined;
    const timedOut = new Promise<undefined>((resolve) => {
      cancel = this.deps.clock.setTimer(() => resolve(undefined), waitMs);
    });
    const ended = await Promise.race([this.deps.tracker.waitForEnd(id), timedOut]);
    cancel?.();
    return ended ?? this.deps.tracker.get(id)!;
  }
}
