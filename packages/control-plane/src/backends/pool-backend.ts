import {
  type ErrorInfo,
  errorInfo,
  type FunctionStatus,
  HeaderKeys,
  isPlatformErrorCode,
  PlatformError,
} from '@nanofaas/contracts';
import type { Pool } from 'undici';
import type { Backend, BackendContext, DeployedFunction, Dispatch, DispatchResult } from './backend.js';
import { Cancellation } from './cancellation.js';
import { Semaphore } from './semaphore.js';

interface PoolFunction {
  readonly fn: DeployedFunction;
  readonly url: URL;
  readonly slots: Semaphore;
  replicas: number | null;
}

/**
 * POOL: a function with `endpointUrl` is an HTTP endpoint that already runs (DESIGN.md §3). The
 * backend only routes to it over pooled keep-alive connections (undici). The endpoint stands for
 * `scaling.maxReplicas` replicas behind one address, so at most `concurrency × maxReplicas`
 * requests are sent to it at once.
 */
export interface PoolBackendOptions {
  /** Largest answer accepted from an endpoint; a larger one is OUTPUT_TOO_LARGE. */
  readonly maxOutputBytes?: number;
}

/** Default cap of an endpoint's answer (the watchdog and runtimes cap their own output too). */
export const DEFAULT_POOL_MAX_OUTPUT_BYTES = 32 * 1024 * 1024;

export class PoolBackend implements Backend {
  readonly kind = 'pool' as const;
  private readonly maxOutputBytes: number;
  private readonly functions = new Map<string, PoolFunction>();
  private readonly pools = new Map<string, Pool>();
  /** undici loads with the first POOL function (its HTTP parser is a WebAssembly module, ~15 MB). */
  private poolClass: typeof Pool | undefined;
  private stopping: Promise<void> | undefined;

  constructor(options: PoolBackendOptions = {}) {
    this.maxOutputBytes = options.maxOutputBytes ?? DEFAULT_POOL_MAX_OUTPUT_BYTES;
  }

  async start(_context: BackendContext): Promise<void> {}

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const pools = [...this.pools.values()];
      this.pools.clear();
      await Promise.all(pools.map((pool) => pool.destroy().catch(() => undefined)));
    })();
    return this.stopping;
  }

  async ensureFunction(fn: DeployedFunction): Promise<void> {
    const endpoint = fn.spec.endpointUrl;
    if (endpoint === undefined) {
      throw new PlatformError('VALIDATION_FAILED', 'field "endpointUrl": is required by the pool backend', {
        issues: [{ field: 'endpointUrl', rule: 'required', message: 'is required by the pool backend' }],
      });
    }
    this.poolClass ??= (await import('undici')).Pool;
    const previous = this.functions.get(fn.spec.name);
    this.functions.set(fn.spec.name, {
      fn,
      url: new URL(endpoint),
      slots: new Semaphore(fn.spec.concurrency * fn.spec.scaling.maxReplicas),
      replicas: previous?.replicas ?? null,
    });
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
      message: `pool endpoint ${entry.url.origin}`,
    };
  }

  async invoke(fn: DeployedFunction, dispatch: Dispatch): Promise<DispatchResult> {
    if (this.stopping) return failure(errorInfo('SHUTTING_DOWN', 'the backend is stopping'));
    const endpoint = fn.spec.endpointUrl;
    if (endpoint === undefined) {
      return failure(errorInfo('BACKEND_UNREACHABLE', `function "${fn.spec.name}" has no endpointUrl`));
    }
    const entry = this.functions.get(fn.spec.name);
    if (entry?.replicas === 0) {
      const message = `"${fn.spec.name}" is pinned to 0 replicas; PUT /v1/functions/${fn.spec.name}/replicas to route to it again`;
      return failure(errorInfo('FUNCTION_UNAVAILABLE', message));
    }
    const cancellation = dispatch.cancellation ?? Cancellation.following(dispatch.signal);
    const url = entry?.fn === fn ? entry.url : new URL(endpoint);
    const slots = entry?.fn === fn ? entry.slots : undefined;
    const started = Date.now();
    if (slots && !slots.tryAcquire()) {
      // Slow path only: the scheduler already keeps in-flight work within the same bound.
      const waited = AbortSignal.any([cancellation.signal, AbortSignal.timeout(dispatch.timeoutMs)]);
      try {
        await slots.acquire(waited);
      } catch {
        return failure(errorInfo('TIMEOUT', `no free connection slot within ${dispatch.timeoutMs} ms`));
      }
    }
    try {
      const remainingMs = Math.max(1, dispatch.timeoutMs - (Date.now() - started));
      return await this.send(url, dispatch, cancellation, remainingMs);
    } catch (cause) {
      const code = (cause as { code?: unknown }).code;
      if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
        return failure(errorInfo('TIMEOUT', `no answer within ${dispatch.timeoutMs} ms`));
      }
      if (cancellation.aborted) {
        return failure(errorInfo('TIMEOUT', `the attempt was stopped: ${describe(cancellation.reason)}`));
      }
      if (this.stopping) return failure(errorInfo('SHUTTING_DOWN', 'the backend is stopping'));
      return failure(errorInfo('BACKEND_UNREACHABLE', `cannot reach ${url.origin}: ${describe(cause)}`));
    } finally {
      slots?.release();
    }
  }

  private async poolFor(url: URL): Promise<Pool> {
    let pool = this.pools.get(url.origin);
    if (!pool) {
      this.poolClass ??= (await import('undici')).Pool;
      pool = new this.poolClass(url.origin, { connections: 256, keepAliveTimeout: 30_000, pipelining: 1 });
      this.pools.set(url.origin, pool);
    }
    return pool;
  }

  private async send(
    url: URL,
    dispatch: Dispatch,
    cancellation: Cancellation,
    timeoutMs: number,
  ): Promise<DispatchResult> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [HeaderKeys.executionId]: dispatch.executionId,
      [HeaderKeys.traceId]: dispatch.traceId,
      [HeaderKeys.timeoutMs]: String(dispatch.timeoutMs),
      [HeaderKeys.dispatchAttempt]: String(dispatch.attempt),
    };
    if (dispatch.traceparent) headers[HeaderKeys.traceparent] = dispatch.traceparent;
    const pool = this.pools.get(url.origin) ?? (await this.poolFor(url));
    const answer = await exchange(pool, {
      path: url.pathname + url.search,
      headers,
      body: JSON.stringify(dispatch.request),
      timeoutMs,
      cancellation,
      maxBytes: this.maxOutputBytes,
    });
    if (answer === 'too-large') {
      return failure(
        errorInfo('OUTPUT_TOO_LARGE', `the function answered with more than ${this.maxOutputBytes} bytes`),
      );
    }
    const { status, text, coldStart } = answer;
    if (status >= 200 && status < 300) {
      if (text.length === 0) return { ok: true, output: null, coldStart };
      try {
        return { ok: true, output: JSON.parse(text), outputJson: text, coldStart };
      } catch {
        return failure(
          errorInfo('INVALID_OUTPUT', 'the function answered with a body that is not JSON'),
          coldStart,
        );
      }
    }
    return failure(errorOfResponse(status, text), coldStart);
  }
}

interface Exchange {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly timeoutMs: number;
  readonly cancellation: Cancellation;
  readonly maxBytes: number;
}

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly coldStart: boolean;
}

/**
 * One request/response over undici's dispatcher API: the answer is collected in memory without a
 * body stream (the invoke path is hot; bodies are bounded by the function's own limits).
 */
function exchange(pool: Pool, request: Exchange): Promise<Answer | 'too-large'> {
  const { cancellation } = request;
  if (cancellation.reason) return Promise.reject(cancellation.reason);
  return new Promise((resolve, reject) => {
    let controller: { abort(reason: Error): void } | undefined;
    const onAbort = (reason: Error) => controller?.abort(reason);
    cancellation.addListener(onAbort);
    const chunks: Buffer[] = [];
    let size = 0;
    let status = 0;
    let coldStart = false;
    pool.dispatch(
      {
        method: 'POST',
        path: request.path,
        headers: request.headers,
        body: request.body,
        headersTimeout: request.timeoutMs,
        bodyTimeout: request.timeoutMs,
      },
      {
        onRequestStart(dispatchController) {
          controller = dispatchController;
          if (cancellation.reason) dispatchController.abort(cancellation.reason);
        },
        onResponseStart(_controller, statusCode, responseHeaders) {
          status = statusCode;
          coldStart = responseHeaders[HeaderKeys.coldStart] === 'true';
        },
        onResponseData(dispatchController, chunk) {
          size += chunk.length;
          if (size > request.maxBytes) {
            cancellation.removeListener(onAbort);
            chunks.length = 0;
            resolve('too-large');
            dispatchController.abort(new Error('answer too large'));
            return;
          }
          chunks.push(chunk);
        },
        onResponseEnd() {
          cancellation.removeListener(onAbort);
          const text =
            chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
          resolve({ status, text, coldStart });
        },
        onResponseError(_controller, error) {
          cancellation.removeListener(onAbort);
          reject(error);
        },
      },
    );
  });
}

/** The error a non-2xx answer carries, or one that says what the status means when it has none. */
function errorOfResponse(status: number, text: string): ErrorInfo {
  try {
    const body = JSON.parse(text) as { error?: Partial<ErrorInfo> };
    const error = body?.error;
    if (error && typeof error.code === 'string' && error.code.length > 0) {
      const origin = error.origin ?? (isPlatformErrorCode(error.code) ? undefined : 'function');
      return {
        ...error,
        code: error.code,
        message: typeof error.message === 'string' ? error.message : `status ${status}`,
        ...(origin ? { origin } : {}),
      };
    }
  } catch {
    // fall through: the status decides
  }
  if (status === 408 || status === 504) return errorInfo('TIMEOUT', `the endpoint answered ${status}`);
  if (status === 502 || status === 503 || status === 429) {
    return errorInfo('BACKEND_UNREACHABLE', `the endpoint answered ${status}`);
  }
  return errorInfo('FUNCTION_ERROR', `the function answered ${status} without an error body`);
}

function failure(error: ErrorInfo, coldStart = false): DispatchResult {
  return { ok: false, error, coldStart };
}

function describe(value: unknown): string {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} ${value.message}` : value.message;
  }
  return String(value);
}
