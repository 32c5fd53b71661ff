import type { V1Job } from '@kubernetes/client-node';
import { type ErrorInfo, errorInfo } from '@nanofaas/contracts';
import { SECRET_PAYLOAD_MAX_BYTES } from '../../config/kubernetes-backend-config.js';
import type { Clock } from '../../deps/clock.js';
import type { DeployedFunction, Dispatch, DispatchResult, RunCompletion } from '../backend.js';
import { describeApiError, statusOf } from './api-errors.js';
import { type JobRun, jobManifest, secretManifest } from './job-manifests.js';
import type { KubeApi, WatchEvent } from './kube-api.js';
import { jobLabels, jobName, Labels, MANAGED_SELECTOR } from './object-names.js';

/** Linux caps one environment variable (MAX_ARG_STRLEN, 128 KiB): INVOCATION_PAYLOAD is one. */
const ENV_VALUE_MAX_BYTES = 128 * 1024 - 1;

export interface JobRunsOptions {
  readonly api: KubeApi;
  readonly clock: Clock;
  readonly jobTtlSeconds: number;
  readonly callbackGraceMs: number;
  readonly payloadEnvMaxBytes: number;
  /** CALLBACK_URL of Job pods; undefined: the URL of the dispatch's completion channel. */
  readonly callbackUrl: string | undefined;
  readonly log: (message: string, fields?: Record<string, unknown>) => void;
}

type JobEnd = { readonly kind: 'finished'; readonly how: string };

interface Waiter {
  readonly functionName: string;
  end(how: JobEnd): void;
}

/**
 * REMOTE on Kubernetes: one Job per attempt (spec: "un Job per invocazione") with its Secret, a
 * watch on our Jobs, and the attempt's end — the run's callback, or a Job that finished or failed
 * without one (RUN_LOST), a timeout, or the caller giving up (the Job is deleted).
 */
export class JobRuns {
  readonly #options: JobRunsOptions;
  readonly #waiting = new Map<string, Waiter>();
  /** Ends every wait when the backend stops (the Jobs keep running: a restart adopts them). */
  readonly #onStop = new Set<() => void>();
  /** Per function: why its last Job could not be created (a quota, RBAC, a name taken), until one is. */
  readonly #createFailures = new Map<string, string>();
  #stopWatch: (() => void) | undefined;

  constructor(options: JobRunsOptions) {
    this.#options = options;
  }

  start(onError: (error: unknown) => void): void {
    this.#stopWatch ??= this.#options.api.watch<V1Job>(
      { apiVersion: 'batch/v1', kind: 'Job' },
      MANAGED_SELECTOR,
      (type, job) => this.#onJob(type, job),
      onError,
    );
  }

  stop(): void {
    this.#stopWatch?.();
    this.#stopWatch = undefined;
    for (const end of [...this.#onStop]) end();
  }

  /** Whether an attempt waits for this Job now. */
  isWaitedFor(jobName: string): boolean {
    return this.#waiting.has(jobName);
  }

  /** Why the function's last Job could not be created, while no later one could. */
  createFailure(functionName: string): string | undefined {
    return this.#createFailures.get(functionName);
  }

  /** Runs currently waited for, per function. */
  runningCount(functionName: string): number {
    let count = 0;
    for (const waiter of this.#waiting.values()) if (waiter.functionName === functionName) count++;
    return count;
  }

  async run(fn: DeployedFunction, dispatch: Dispatch): Promise<DispatchResult> {
    const { completion } = dispatch;
    if (completion === undefined) {
      return failure(errorInfo('INTERNAL_ERROR', 'a REMOTE dispatch came without a completion channel'));
    }
    // The caller's bytes as they are (data is never re-encoded).
    const payloadJson = dispatch.requestBody.toString('utf8');
    const payloadBytes = dispatch.requestBody.length;
    const limit = Math.min(SECRET_PAYLOAD_MAX_BYTES, ENV_VALUE_MAX_BYTES);
    if (payloadBytes > limit) {
      return failure(
        errorInfo(
          'PAYLOAD_TOO_LARGE',
          `a REMOTE invocation on Kubernetes carries at most ${limit} bytes of InvocationRequest (INVOCATION_PAYLOAD is one environment variable); this one has ${payloadBytes}`,
        ),
      );
    }
    const run: JobRun = {
      executionId: dispatch.executionId,
      attempt: dispatch.attempt,
      callbackUrl: this.#options.callbackUrl ?? completion.url,
      timeoutMs: dispatch.timeoutMs,
      traceId: dispatch.traceId,
      payloadJson,
      payloadInSecret: payloadBytes > this.#options.payloadEnvMaxBytes,
    };
    const { api } = this.#options;
    const name = jobName(fn.spec.name, dispatch.executionId, dispatch.attempt);
    const ended = this.#expect(name, fn.spec.name);
    try {
      const job = await api.create(
        jobManifest(fn.spec, run, {
          namespace: api.namespace,
          ttlSecondsAfterFinished: this.#options.jobTtlSeconds,
        }),
      );
      const uid = job.metadata?.uid;
      if (uid === undefined) throw new Error('the API server returned a Job without uid');
      await api.create(secretManifest({ name, uid }, fn.spec, run, completion.token, api.namespace));
    } catch (error) {
      this.#waiting.delete(name);
      // A Job of this attempt exists already (a retry of the same dispatch): wait for it.
      const conflict = statusOf(error) === 409 ? await this.#foreignJob(name, fn, dispatch) : undefined;
      if (statusOf(error) !== 409 || conflict !== undefined) {
        if (statusOf(error) !== 409) void api.delete(jobRef(name)).catch(() => undefined);
        const message = `cannot create Job ${name}: ${describeApiError(error)}${conflict ?? ''}`;
        this.#createFailures.set(fn.spec.name, message);
        return failure(errorInfo('FUNCTION_UNAVAILABLE', message));
      }
      return this.#await(name, fn.spec.name, dispatch, completion.wait());
    }
    this.#createFailures.delete(fn.spec.name);
    return this.#await(name, fn.spec.name, dispatch, completion.wait(), ended);
  }

  /** Why the Job of that name, which exists, is not this attempt's; undefined when it is. */
  async #foreignJob(name: string, fn: DeployedFunction, dispatch: Dispatch): Promise<string | undefined> {
    const job = await this.#options.api.read<V1Job>(jobRef(name)).catch(() => undefined);
    const expected = jobLabels(fn.spec.name, dispatch.executionId, dispatch.attempt);
    const labels = job?.metadata?.labels ?? {};
    const ours = Object.entries(expected).every(([key, value]) => labels[key] === value);
    return ours ? undefined : ' (not a Job of this attempt: not managed by nanofaas, or another run)';
  }

  /** After a restart: the Job of `dispatch`'s attempt, if it still runs, is waited for; else undefined. */
  async recover(fn: DeployedFunction, dispatch: Dispatch): Promise<DispatchResult | undefined> {
    const completion = dispatch.completion;
    if (completion === undefined) return undefined;
    const name = jobName(fn.spec.name, dispatch.executionId, dispatch.attempt);
    const job = await this.#options.api.read<V1Job>(jobRef(name));
    if (job === undefined || finishedHow(job) !== undefined) return undefined;
    this.#options.log('adopted a running Job after a restart', {
      job: name,
      executionId: dispatch.executionId,
    });
    return this.#await(name, fn.spec.name, dispatch, completion.wait());
  }

  async #await(
    name: string,
    functionName: string,
    dispatch: Dispatch,
    callback: Promise<RunCompletion>,
    ended: Promise<JobEnd> = this.#expect(name, functionName),
  ): Promise<DispatchResult> {
    const { clock } = this.#options;
    const cancels: Array<() => void> = [];
    const settled = await new Promise<
      | { kind: 'callback'; body: RunCompletion }
      | { kind: 'lost'; how: string }
      | { kind: 'timeout' }
      | { kind: 'aborted'; reason: string }
      | { kind: 'stopped' }
    >((resolve) => {
      const onStop = () => resolve({ kind: 'stopped' });
      this.#onStop.add(onStop);
      cancels.push(() => this.#onStop.delete(onStop));
      callback.then((body) => resolve({ kind: 'callback', body }));
      ended.then((end) => {
        // The callback may still be on its way: give it a moment before calling the run lost.
        cancels.push(
          clock.setTimer(() => resolve({ kind: 'lost', how: end.how }), this.#options.callbackGraceMs),
        );
      });
      // The watchdog enforces TIMEOUT_MS and reports; this bounds a pod that never started.
      cancels.push(
        clock.setTimer(
          () => resolve({ kind: 'timeout' }),
          dispatch.timeoutMs + this.#options.callbackGraceMs,
        ),
      );
      const onAbort = () => resolve({ kind: 'aborted', reason: String(dispatch.signal.reason ?? 'aborted') });
      if (dispatch.signal.aborted) onAbort();
      else dispatch.signal.addEventListener('abort', onAbort, { once: true });
      cancels.push(() => dispatch.signal.removeEventListener('abort', onAbort));
    });
    for (const cancel of cancels) cancel();
    this.#waiting.delete(name);
    switch (settled.kind) {
      case 'callback': {
        const { body } = settled;
        if (body.success) return { ok: true, output: body.output ?? null, coldStart: true };
        return failure(
          body.error ?? errorInfo('FUNCTION_ERROR', 'the run reported a failure without an error'),
        );
      }
      case 'lost':
        return failure(errorInfo('RUN_LOST', `Job ${name} ${settled.how} without reporting a result`));
      case 'timeout': {
        const why = await this.#whyNoPod(name);
        void this.#delete(name);
        return failure(
          errorInfo('TIMEOUT', `Job ${name} did not report within ${dispatch.timeoutMs} ms${why}`, {
            origin: 'platform',
          }),
        );
      }
      case 'stopped':
        return failure(
          errorInfo('SHUTTING_DOWN', `the control plane stopped while Job ${name} ran; a restart adopts it`),
        );
      case 'aborted':
        void this.#delete(name);
        return failure(
          errorInfo('TIMEOUT', `the invocation was cancelled (${settled.reason})`, { origin: 'platform' }),
        );
      default: {
        const unknown: never = settled;
        throw new Error(`unexpected settlement ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** Deletes every Job (and through its ownerReferences, Secret and pods) of a function. */
  async removeFunction(functionName: string): Promise<void> {
    const { api } = this.#options;
    this.#createFailures.delete(functionName);
    const jobs = await api.list<V1Job>(
      'batch/v1',
      'Job',
      `${MANAGED_SELECTOR},${Labels.jobFunction}=${functionName}`,
    );
    await Promise.all(jobs.map((job) => this.#delete(job.metadata?.name ?? '')));
    for (const [name, waiter] of this.#waiting) {
      if (waiter.functionName === functionName)
        waiter.end({ kind: 'finished', how: 'was deleted with its function' });
      this.#waiting.delete(name);
    }
  }

  #expect(name: string, functionName: string): Promise<JobEnd> {
    return new Promise<JobEnd>((resolve) => {
      this.#waiting.set(name, { functionName, end: resolve });
    });
  }

  #onJob(type: WatchEvent, job: V1Job): void {
    const name = job.metadata?.name;
    if (name === undefined) return;
    const waiter = this.#waiting.get(name);
    // Deleted (by someone else, or while our watch was down: the relist says so) without finishing.
    const how = finishedHow(job) ?? (type === 'DELETED' ? 'was deleted' : undefined);
    if (waiter && how !== undefined) waiter.end({ kind: 'finished', how });
  }

  /**
   * A Job whose pods the cluster refuses (a ResourceQuota, an admission policy) only says so in
   * its Events (the Job controller sets no condition for it): name the likely cause.
   */
  async #whyNoPod(name: string): Promise<string> {
    const job = await this.#options.api.read<V1Job>(jobRef(name)).catch(() => undefined);
    const status = job?.status;
    if (job === undefined || (status?.active ?? 0) + (status?.succeeded ?? 0) + (status?.failed ?? 0) > 0)
      return '';
    return ` (no pod of it was ever created: a ResourceQuota or an admission policy may forbid its pods; "kubectl describe job ${name}" shows the controller's events)`;
  }

  async #delete(name: string): Promise<void> {
    if (name === '') return;
    try {
      await this.#options.api.delete(jobRef(name));
    } catch (error) {
      this.#options.log('cannot delete Job', { job: name, error: describeApiError(error) });
    }
  }
}

export function jobRef(name: string) {
  return { apiVersion: 'batch/v1', kind: 'Job', name };
}

/** "failed (BackoffLimitExceeded: …)" / "completed" once the Job ended, else undefined. */
export function finishedHow(job: V1Job): string | undefined {
  for (const condition of job.status?.conditions ?? []) {
    if (condition.status !== 'True') continue;
    if (condition.type === 'Complete') return 'completed';
    if (condition.type === 'Failed') {
      return `failed (${condition.reason ?? 'Failed'}${condition.message ? `: ${condition.message}` : ''})`;
    }
  }
  return undefined;
}

function failure(error: ErrorInfo): DispatchResult {
  return { ok: false, error, coldStart: false };
}
