import {
  type ErrorInfo,
  errorInfo,
  type FunctionStatus,
  type ResolvedFunctionSpec,
  validationFailed,
} from '@nanofaas/contracts';
import { type Clock, systemClock } from '../deps/clock.js';
import {
  type Backend,
  type BackendContext,
  type DeployedFunction,
  type Dispatch,
  type DispatchResult,
  dispatchResultOf,
} from './backend.js';
import { Cancellation } from './cancellation.js';
import { FunctionHttpClient } from './function-http-client.js';
import { Semaphore } from './semaphore.js';

interface PoolFunction {
  readonly fn: DeployedFunction;
  readonly client: FunctionHttpClient;
  readonly slots: Semaphore;
  replicas: number | null;
}

/**
 * POOL: a function with `endpointUrl` is an HTTP endpoint that already runs (DESIGN.md §3). The
 * backend only routes to it through the function HTTP client. The endpoint stands for
 * `scaling.maxReplicas` replicas behind one address, so at most `concurrency × maxReplicas`
 * requests are sent to it at once. The local backend runs its POOL functions through one of these.
 */
export interface PoolBackendOptions {
  /** Largest answer accepted from an endpoint; a larger one is OUTPUT_TOO_LARGE. */
  readonly maxOutputBytes?: number;
  readonly clock?: Clock;
}

/** Default cap of an endpoint's answer (the watchdog and runtimes cap their own output too). */
export const DEFAULT_POOL_MAX_OUTPUT_BYTES = 32 * 1024 * 1024;

export class PoolBackend implements Backend {
  readonly kind = 'pool' as const;
  private readonly maxOutputBytes: number;
  private readonly clock: Clock;
  private readonly functions = new Map<string, PoolFunction>();
  private stopping: Promise<void> | undefined;

  constructor(options: PoolBackendOptions = {}) {
    this.maxOutputBytes = options.maxOutputBytes ?? DEFAULT_POOL_MAX_OUTPUT_BYTES;
    this.clock = options.clock ?? systemClock;
  }

  async start(_context: BackendContext): Promise<void> {}

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const entries = [...this.functions.values()];
      await Promise.all(entries.map((entry) => entry.client.close()));
    })();
    return this.stopping;
  }

  /** Only POOL functions: an endpoint to call (NANOFAAS_BACKEND=pool runs nothing itself). */
  validate(spec: ResolvedFunctionSpec): void {
    if (spec.executionMode === 'POOL' && spec.endpointUrl !== undefined) return;
    const message = `is required by the pool backend, which runs only executionMode POOL (this spec is ${spec.executionMode})`;
    throw validationFailed([{ field: 'endpointUrl', rule: 'required', message }]);
  }

  async ensureFunction(fn: DeployedFunction): Promise<void> {
    this.validate(fn.spec);
    const previous = this.functions.get(fn.spec.name);
    const url = new URL(fn.spec.endpointUrl as string);
    const maxInFlight = fn.spec.concurrency * fn.spec.scaling.maxReplicas;
    const sameEndpoint = previous !== undefined && previous.fn.spec.endpointUrl === fn.spec.endpointUrl;
    const client = sameEndpoint
      ? previous.client
      : new FunctionHttpClient(url, { maxConnections: maxInFlight, maxOutputBytes: this.maxOutputBytes });
    this.functions.set(fn.spec.name, {
      fn,
      client,
      slots: new Semaphore(maxInFlight),
      replicas: previous?.replicas ?? null,
    });
    if (previous !== undefined && !sameEndpoint)
      void previous.slots.drained().then(() => previous.client.close());
  }

  async reconcile(desired: readonly DeployedFunction[]): Promise<void> {
    const wanted = new Set(desired.map((fn) => fn.spec.name));
    for (const name of [...this.functions.keys()]) if (!wanted.has(name)) await this.removeFunction(name);
    for (const fn of desired)
      if (this.functions.get(fn.spec.name)?.fn.revision !== fn.revision) await this.ensureFunction(fn);
  }

  async removeFunction(name: string): Promise<void> {
    const entry = this.functions.get(name);
    this.functions.delete(name);
    // In-flight requests end on their own (each is bounded by its timeout); wait for them.
    await entry?.slots.drained();
    await entry?.client.close();
  }

  async scaleFunction(name: string, replicas: number | null): Promise<void> {
    const entry = this.functions.get(name);
    if (entry) entry.replicas = replicas;
  }

  describeFunction(name: string): FunctionStatus | undefined {
    const entry = this.functions.get(name);
    if (!entry) return undefined;
    const replicas = entry.replicas ?? 1;
    return {
      state: replicas === 0 ? 'scaled-to-zero' : 'ready',
      replicas,
      readyReplicas: replicas,
      message: `pool endpoint ${entry.client.origin}`,
    };
  }

  async invoke(fn: DeployedFunction, dispatch: Dispatch): Promise<DispatchResult> {
    if (this.stopping) return failure(errorInfo('SHUTTING_DOWN', 'the backend is stopping'));
    const entry = this.functions.get(fn.spec.name);
    if (entry === undefined) {
      return failure(errorInfo('FUNCTION_DELETED', `"${fn.spec.name}" is not deployed on the pool backend`));
    }
    if (entry.replicas === 0) {
      const message = `"${fn.spec.name}" is pinned to 0 replicas; PUT /v1/functions/${fn.spec.name}/replicas to route to it again`;
      return failure(errorInfo('FUNCTION_UNAVAILABLE', message));
    }
    const cancellation = dispatch.cancellation ?? Cancellation.following(dispatch.signal);
    const started = this.clock.now();
    const { slots, client } = entry;
    if (!slots.tryAcquire()) {
      // Slow path only: the scheduler already keeps in-flight work within the same bound.
      const timedOut = new AbortController();
      const cancelTimer = this.clock.setTimer(() => timedOut.abort(), dispatch.timeoutMs);
      try {
        await slots.acquire(AbortSignal.any([cancellation.signal, timedOut.signal]));
      } catch {
        return failure(errorInfo('TIMEOUT', `no free connection slot within ${dispatch.timeoutMs} ms`));
      } finally {
        cancelTimer();
      }
    }
    try {
      // Not `{ ...dispatch }`: spreading reads its lazy `signal` and so makes an AbortController
      // (an EventTarget) per request.
      const timeoutMs = Math.max(1, dispatch.timeoutMs - (this.clock.now() - started));
      const answer = await client.invoke(dispatch, dispatch.requestBody, { timeoutMs, cancellation });
      return dispatchResultOf(answer);
    } finally {
      slots.release();
    }
  }
}

function failure(error: ErrorInfo, coldStart = false): DispatchResult {
  return { ok: false, error, coldStart };
}
