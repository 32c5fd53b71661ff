import { Agent, request } from 'node:http';
import {
  ErrorCatalogue,
  type ErrorInfo,
  errorInfo,
  HeaderKeys,
  isPlatformErrorCode,
} from '@nanofaas/contracts';
import type { Pool } from 'undici';
import type { Dispatch } from '../backend.js';

export type InvokeOutcome =
  | { ok: true; output: unknown }
  | {
      ok: false;
      error: ErrorInfo;
      /** The connection was refused: the replica never saw the request, so it can go elsewhere. */
      notDelivered?: boolean;
    };

/**
 * HTTP client of one warm watchdog (or image serving /invoke) on <host>:<port>, 127.0.0.1 for the
 * local backend, a pod's address on Kubernetes (keep-alive, one connection per in-flight call).
 */
export class WatchdogClient {
  readonly #port: number;
  readonly #host: string;
  readonly #origin: string;
  readonly #maxConnections: number;
  /** Health checks during start (node:http, one socket). */
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 1 });
  #pool: Pool | undefined;

  constructor(port: number, maxConnections: number, host = '127.0.0.1') {
    this.#port = port;
    this.#host = host;
    this.#origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.#maxConnections = maxConnections;
  }

  /** True when GET /health answers 200 within `timeoutMs`. */
  checkHealth(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const req = request(
        {
          host: this.#host,
          port: this.#port,
          path: '/health',
          method: 'GET',
          agent: this.#agent,
          timeout: timeoutMs,
        },
        (res) => {
          res.resume();
          res.once('end', () => resolve(res.statusCode === 200));
          res.once('error', () => resolve(false));
        },
      );
      req.once('timeout', () => req.destroy());
      req.once('error', () => resolve(false));
      req.end();
    });
  }

  /** POST /invoke over a pooled keep-alive connection (undici); never rejects. */
  async invoke(dispatch: Dispatch): Promise<InvokeOutcome> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [HeaderKeys.executionId]: dispatch.executionId,
      [HeaderKeys.traceId]: dispatch.traceId,
      [HeaderKeys.timeoutMs]: String(Math.max(1, Math.floor(dispatch.timeoutMs))),
      [HeaderKeys.dispatchAttempt]: String(dispatch.attempt),
    };
    if (dispatch.traceparent !== undefined) headers[HeaderKeys.traceparent] = dispatch.traceparent;
    if (dispatch.signal.aborted) return { ok: false, error: cancelled(dispatch.signal) };
    // The watchdog enforces the timeout itself (X-Timeout-Ms); these only guard against a
    // watchdog that stopped answering.
    const guardMs = dispatch.timeoutMs + 2_000;
    try {
      const pool = this.#pool ?? (await this.#createPool());
      const { status, body } = await exchange(
        pool,
        headers,
        JSON.stringify(dispatch.request),
        guardMs,
        dispatch.signal,
      );
      return interpretResponse(status, body);
    } catch (cause) {
      if (dispatch.signal.aborted) return { ok: false, error: cancelled(dispatch.signal) };
      const code = (cause as NodeJS.ErrnoException).code;
      if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
        const message = `no answer from the replica within ${dispatch.timeoutMs} ms`;
        return { ok: false, error: errorInfo('TIMEOUT', message, { origin: 'platform' }) };
      }
      const error = errorInfo('BACKEND_UNREACHABLE', `replica at ${this.#origin} failed: ${describe(cause)}`);
      return { ok: false, error, notDelivered: code === 'ECONNREFUSED' };
    }
  }

  async #createPool(): Promise<Pool> {
    // undici loads on first use: a control plane with no warm function never pays for it.
    const { Pool } = await import('undici');
    this.#pool ??= new Pool(this.#origin, {
      connections: this.#maxConnections,
      keepAliveTimeout: 30_000,
      pipelining: 1,
    });
    return this.#pool;
  }

  close(): void {
    this.#agent.destroy();
    void this.#pool?.destroy().catch(() => undefined);
  }
}

function interpretResponse(status: number, body: Buffer): InvokeOutcome {
  let parsed: unknown;
  try {
    parsed = body.length === 0 ? null : JSON.parse(body.toString('utf8'));
  } catch {
    if (status === 200) {
      return {
        ok: false,
        error: errorInfo('INVALID_OUTPUT', 'the replica answered 200 with a body that is not JSON'),
      };
    }
    return {
      ok: false,
      error: errorInfo('RUNTIME_UNAVAILABLE', `the replica answered ${status} without an error body`),
    };
  }
  if (status === 200) return { ok: true, output: parsed };
  const error = (parsed as { error?: unknown } | null)?.error;
  if (typeof error === 'object' && error !== null && typeof (error as ErrorInfo).code === 'string') {
    return { ok: false, error: completeErrorInfo(error as ErrorInfo) };
  }
  return { ok: false, error: errorInfo('RUNTIME_UNAVAILABLE', `the replica answered ${status}`) };
}

/** Fills origin and retryable from the catalogue when the watchdog left them out. */
function completeErrorInfo(error: ErrorInfo): ErrorInfo {
  const message = typeof error.message === 'string' ? error.message : String(error.code);
  if (isPlatformErrorCode(error.code)) {
    const definition = ErrorCatalogue[error.code];
    return {
      ...error,
      message,
      origin: error.origin ?? definition.origin,
      retryable: error.retryable ?? definition.retryable,
    };
  }
  return { ...error, message, origin: error.origin ?? 'function' };
}

function describe(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const code = (cause as NodeJS.ErrnoException).code;
  return code !== undefined && !cause.message.includes(code) ? `${cause.message} (${code})` : cause.message;
}

export function cancelled(signal: AbortSignal): ErrorInfo {
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'aborted');
  return errorInfo('TIMEOUT', `the invocation was cancelled (${reason})`, { origin: 'platform' });
}

/**
 * One POST /invoke through undici's dispatcher API: the response body is collected as it arrives
 * instead of through a body stream, which costs noticeably less per request.
 */
function exchange(
  pool: Pool,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    let controller: { abort(reason: Error): void } | undefined;
    const onAbort = () => controller?.abort(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    const chunks: Buffer[] = [];
    let status = 0;
    pool.dispatch(
      { method: 'POST', path: '/invoke', headers, body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs },
      {
        onRequestStart(dispatchController) {
          controller = dispatchController;
          if (signal.aborted) dispatchController.abort(new Error('aborted'));
        },
        onResponseStart(_controller, statusCode) {
          status = statusCode;
        },
        onResponseData(_controller, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          signal.removeEventListener('abort', onAbort);
          resolve({ status, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) });
        },
        onResponseError(_controller, error) {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      },
    );
  });
}
