import { Agent, request } from 'node:http';
import {
  ErrorCatalogue,
  type ErrorInfo,
  errorInfo,
  HeaderKeys,
  isPlatformErrorCode,
  JsonLimits,
  scanJson,
} from '@nanofaas/contracts';
import type { Pool } from 'undici';
import type { Dispatch, DispatchResult } from './backend.js';
import { Cancellation } from './cancellation.js';

export interface FunctionHttpClientOptions {
  /** Keep-alive connections at most (one per request in flight). */
  readonly maxConnections: number;
  /** Largest answer accepted; a larger one is OUTPUT_TOO_LARGE. */
  readonly maxOutputBytes: number;
  /**
   * Added to the attempt's timeout before the client gives up on an answer. 0 for an endpoint that
   * may ignore X-Timeout-Ms; a watchdog enforces it itself and answers TIMEOUT, so for it this only
   * guards against one that stopped answering.
   */
  readonly timeoutGraceMs?: number;
}

/**
 * What a function answered to one POST, classified once for every backend: a DispatchResult, whose
 * failure may add that the connection was refused (the function never saw the request, so it can
 * go elsewhere).
 */
export type FunctionAnswer =
  | Extract<DispatchResult, { ok: true }>
  | (Extract<DispatchResult, { ok: false }> & { readonly notDelivered?: boolean });

const NULL_OUTPUT = Buffer.from('null');

/** Answers declaring more than this are read into one buffer allocated up front. */
const PREALLOCATE_MIN_BYTES = 64 * 1024;

/**
 * The one HTTP client of functions (DESIGN.md §5): POSTs an InvocationRequest to a warm watchdog, a
 * runtime or a POOL endpoint over pooled keep-alive connections (undici, loaded on first use) and
 * classifies the answer the same way for all of them. Any 2xx is success and its body is kept as
 * the bytes the function wrote; every other answer becomes an ErrorInfo with a catalogue code or
 * the function's own. `invoke` never rejects.
 */
export class FunctionHttpClient {
  readonly #url: URL;
  readonly #path: string;
  readonly #options: FunctionHttpClientOptions;
  /** Health checks (node:http, one socket): cheaper than undici before the first invoke. */
  #agent: Agent | undefined;
  #pool: Pool | undefined;
  #closed = false;

  constructor(url: URL, options: FunctionHttpClientOptions) {
    this.#url = url;
    this.#path = url.pathname + url.search;
    this.#options = options;
  }

  get origin(): string {
    return this.#url.origin;
  }

  /** True when `GET {origin}{path}` answers 200 within `timeoutMs`. */
  checkHealth(path: string, timeoutMs: number): Promise<boolean> {
    this.#agent ??= new Agent({ keepAlive: true, maxSockets: 1 });
    return new Promise((resolve) => {
      const req = request(
        {
          host: this.#url.hostname,
          port: this.#url.port,
          path,
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

  /**
   * POSTs `body` (an InvocationRequest as JSON bytes, usually `dispatch.requestBody`) with the
   * dispatch's headers; `override` replaces the dispatch's timeout and cancellation (what is left
   * of them after the caller waited).
   */
  async invoke(
    dispatch: Dispatch,
    body: Buffer,
    override?: { readonly timeoutMs: number; readonly cancellation: Cancellation },
  ): Promise<FunctionAnswer> {
    const cancellation =
      override?.cancellation ?? dispatch.cancellation ?? Cancellation.following(dispatch.signal);
    if (cancellation.aborted) return failure(cancelled(cancellation.reason));
    const timeoutMs = override?.timeoutMs ?? dispatch.timeoutMs;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [HeaderKeys.executionId]: dispatch.executionId,
      [HeaderKeys.traceId]: dispatch.traceId,
      [HeaderKeys.timeoutMs]: String(Math.max(1, Math.floor(timeoutMs))),
      [HeaderKeys.dispatchAttempt]: String(dispatch.attempt),
    };
    if (dispatch.traceparent !== undefined) headers[HeaderKeys.traceparent] = dispatch.traceparent;
    const waitMs = Math.max(1, timeoutMs + (this.#options.timeoutGraceMs ?? 0));
    try {
      const pool = this.#pool ?? (await this.#createPool());
      const answer = await exchange(pool, {
        path: this.#path,
        headers,
        body,
        timeoutMs: waitMs,
        cancellation,
        maxBytes: this.#options.maxOutputBytes,
      });
      if (answer === 'too-large') {
        const message = `the function answered with more than ${this.#options.maxOutputBytes} bytes`;
        return failure(errorInfo('OUTPUT_TOO_LARGE', message));
      }
      return classifyAnswer(answer);
    } catch (cause) {
      if (cancellation.aborted) return failure(cancelled(cancellation.reason));
      const code = (cause as NodeJS.ErrnoException).code;
      if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
        const message = `no answer from ${this.origin} within ${timeoutMs} ms`;
        return failure(errorInfo('TIMEOUT', message, { origin: 'platform' }));
      }
      if (this.#closed) return failure(errorInfo('SHUTTING_DOWN', 'the backend is stopping'));
      const error = errorInfo('BACKEND_UNREACHABLE', `cannot reach ${this.origin}: ${describe(cause)}`);
      return { ok: false, error, coldStart: false, notDelivered: code === 'ECONNREFUSED' };
    }
  }

  async #createPool(): Promise<Pool> {
    // undici loads on first use (its HTTP parser is a WebAssembly module, ~15 MB): a control plane
    // with no warm function never pays for it.
    const { Pool } = await import('undici');
    this.#pool ??= new Pool(this.#url.origin, {
      connections: this.#options.maxConnections,
      keepAliveTimeout: 30_000,
      pipelining: 1,
    });
    return this.#pool;
  }

  /** Idempotent: closes every connection; requests in flight fail. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#agent?.destroy();
    await this.#pool?.destroy().catch(() => undefined);
  }
}

interface Answer {
  readonly status: number;
  readonly body: Buffer;
  readonly coldStart: boolean;
  readonly initDurationMs?: number;
}

/** One classification for every function answer (any 2xx is success). */
export function classifyAnswer({ status, body, coldStart, initDurationMs }: Answer): FunctionAnswer {
  const started = initDurationMs === undefined ? { coldStart } : { coldStart, initDurationMs };
  if (status >= 200 && status < 300) {
    if (body.length === 0) return { ok: true, output: NULL_OUTPUT, ...started };
    const scan = scanJson(body, JsonLimits.maxDepth);
    if (scan.ok) return { ok: true, output: body, ...started };
    const message = `the function answered ${status} with a body that is not JSON: ${scan.reason} at byte ${scan.offset}`;
    return { ok: false, error: errorInfo('INVALID_OUTPUT', message), ...started };
  }
  return { ok: false, error: errorOfAnswer(status, body), ...started };
}

/** Longest start-up time taken from X-Init-Duration-Ms (a day); anything else is ignored. */
const MAX_INIT_DURATION_MS = 86_400_000;

/**
 * X-Init-Duration-Ms as a whole number of milliseconds, when the answer is a cold start and the
 * header is one (it comes from function code: anything else is ignored, never an error).
 */
export function initDurationOf(coldStart: boolean, header: unknown): number | undefined {
  if (!coldStart || typeof header !== 'string' || !/^[0-9]{1,9}$/.test(header)) return undefined;
  const value = Number(header);
  return value <= MAX_INIT_DURATION_MS ? value : undefined;
}

/** The error a non-2xx answer carries, or one that says what the status means when it has none. */
function errorOfAnswer(status: number, body: Buffer): ErrorInfo {
  const carried = body.length > 0 && scanJson(body, JsonLimits.maxDepth).ok ? carriedError(body) : undefined;
  if (carried !== undefined) return carried;
  const without = `the function answered ${status} without an error body`;
  if (status === 408 || status === 504) return errorInfo('TIMEOUT', without, { origin: 'platform' });
  if (status === 429 || status === 502 || status === 503) return errorInfo('BACKEND_UNREACHABLE', without);
  return errorInfo('FUNCTION_ERROR', without);
}

/**
 * `{"error": {"code", "message", …}}` of an answer, keeping only the fields of ErrorInfo with the
 * right types, origin and retryable filled from the catalogue when a platform code leaves them out.
 */
function carriedError(body: Buffer): ErrorInfo | undefined {
  const error = (JSON.parse(body.toString('utf8')) as { error?: unknown } | null)?.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, origin, retryable, issues } = error as Record<string, unknown>;
  if (typeof code !== 'string' || code.length === 0 || code.length > 128) return undefined;
  const text = typeof message === 'string' ? message.slice(0, 65_536) : code;
  const info: ErrorInfo = { code, message: text };
  const definition = isPlatformErrorCode(code) ? ErrorCatalogue[code] : undefined;
  if (origin === 'client' || origin === 'platform' || origin === 'function') info.origin = origin;
  else info.origin = definition?.origin ?? 'function';
  if (typeof retryable === 'boolean') info.retryable = retryable;
  else if (definition !== undefined) info.retryable = definition.retryable;
  if (Array.isArray(issues)) info.issues = issues.filter(isIssue);
  return info;
}

function isIssue(value: unknown): value is { field: string; rule: string; message: string } {
  if (typeof value !== 'object' || value === null) return false;
  const { field, rule, message } = value as Record<string, unknown>;
  return typeof field === 'string' && typeof rule === 'string' && typeof message === 'string';
}

function failure(error: ErrorInfo, coldStart = false): FunctionAnswer {
  return { ok: false, error, coldStart };
}

/** The error of an attempt stopped by the caller's timeout, a cancel or shutdown. */
export function cancelled(reason: unknown): ErrorInfo {
  const text = reason instanceof Error ? reason.message : String(reason ?? 'aborted');
  return errorInfo('TIMEOUT', `the invocation was cancelled (${text})`, { origin: 'platform' });
}

function describe(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const code = (cause as NodeJS.ErrnoException).code;
  return code !== undefined && !cause.message.includes(code) ? `${cause.message} (${code})` : cause.message;
}

interface Exchange {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly timeoutMs: number;
  readonly cancellation: Cancellation;
  readonly maxBytes: number;
}

/**
 * One request/response over undici's dispatcher API: the answer is collected in memory as it
 * arrives, without a body stream (noticeably cheaper per request on the hot path), and cut off
 * past `maxBytes`.
 */
function exchange(pool: Pool, request: Exchange): Promise<Answer | 'too-large'> {
  const { cancellation } = request;
  return new Promise((resolve, reject) => {
    let controller: { abort(reason: Error): void } | undefined;
    const onAbort = (reason: Error) => controller?.abort(reason);
    cancellation.addListener(onAbort);
    const chunks: Buffer[] = [];
    /** A large declared answer is copied into one buffer of its size as it arrives (no final concat). */
    let whole: Buffer | undefined;
    let size = 0;
    let status = 0;
    let coldStart = false;
    let initDurationMs: number | undefined;
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
          initDurationMs = initDurationOf(coldStart, responseHeaders[HeaderKeys.initDurationMs]);
          const declared = Number(responseHeaders['content-length']);
          if (declared > PREALLOCATE_MIN_BYTES && declared <= request.maxBytes)
            whole = Buffer.allocUnsafeSlow(declared);
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
          if (whole !== undefined && size <= whole.length) {
            chunk.copy(whole, size - chunk.length);
            return;
          }
          if (whole !== undefined) {
            // More than declared (undici fails such an answer): keep what came, in order.
            chunks.push(whole.subarray(0, size - chunk.length));
            whole = undefined;
          }
          chunks.push(chunk);
        },
        onResponseEnd() {
          cancellation.removeListener(onAbort);
          let body: Buffer;
          if (whole !== undefined) body = size === whole.length ? whole : whole.subarray(0, size);
          else body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          whole = undefined;
          chunks.length = 0;
          resolve({ status, body, coldStart, initDurationMs });
        },
        onResponseError(_controller, error) {
          cancellation.removeListener(onAbort);
          reject(error);
        },
      },
    );
  });
}
