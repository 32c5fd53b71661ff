import { Agent, request } from 'node:http';
import { ErrorCatalogue, type ErrorInfo, errorInfo, Headers, isPlatformErrorCode } from '@nanofaas/contracts';
import type { Dispatch } from '../backend.js';

export type InvokeOutcome =
  | { ok: true; output: unknown }
  | {
      ok: false;
      error: ErrorInfo;
      /** The connection was refused: the replica never saw the request, so it can go elsewhere. */
      notDelivered?: boolean;
    };

/** HTTP client of one warm watchdog on 127.0.0.1:<port> (keep-alive, one socket per in-flight call). */
export class WatchdogClient {
  readonly #port: number;
  readonly #agent: Agent;

  constructor(port: number, maxSockets: number) {
    this.#port = port;
    this.#agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  /** True when GET /health answers 200 within `timeoutMs`. */
  checkHealth(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
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

  /** POST /invoke; never rejects. */
  invoke(dispatch: Dispatch): Promise<InvokeOutcome> {
    const body = Buffer.from(JSON.stringify(dispatch.request));
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': body.length,
      [Headers.executionId]: dispatch.executionId,
      [Headers.traceId]: dispatch.traceId,
      [Headers.timeoutMs]: Math.max(1, Math.floor(dispatch.timeoutMs)),
      [Headers.dispatchAttempt]: dispatch.attempt,
    };
    if (dispatch.traceparent !== undefined) headers[Headers.traceparent] = dispatch.traceparent;
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: InvokeOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        dispatch.signal.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const req = request(
        { host: '127.0.0.1', port: this.#port, path: '/invoke', method: 'POST', agent: this.#agent, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.once('error', (error) => settle({ ok: false, error: unreachable(this.#port, error) }));
          res.once('end', () => settle(interpretResponse(res.statusCode ?? 0, Buffer.concat(chunks))));
        },
      );
      // The watchdog enforces the timeout itself (X-Timeout-Ms); this only guards against a
      // watchdog that stopped answering.
      const timer = setTimeout(() => {
        req.destroy();
        settle({
          ok: false,
          error: errorInfo('TIMEOUT', `no answer from the replica within ${dispatch.timeoutMs} ms`, {
            origin: 'platform',
          }),
        });
      }, dispatch.timeoutMs + 2_000);
      const onAbort = () => {
        req.destroy();
        settle({ ok: false, error: cancelled(dispatch.signal) });
      };
      if (dispatch.signal.aborted) return onAbort();
      dispatch.signal.addEventListener('abort', onAbort, { once: true });
      req.once('error', (error: NodeJS.ErrnoException) =>
        settle({
          ok: false,
          error: unreachable(this.#port, error),
          notDelivered: error.code === 'ECONNREFUSED',
        }),
      );
      req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
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

function unreachable(port: number, error: Error): ErrorInfo {
  return errorInfo('BACKEND_UNREACHABLE', `replica on 127.0.0.1:${port} failed: ${error.message}`);
}

export function cancelled(signal: AbortSignal): ErrorInfo {
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'aborted');
  return errorInfo('TIMEOUT', `the invocation was cancelled (${reason})`, { origin: 'platform' });
}
