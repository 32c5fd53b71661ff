import type { IncomingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import type { Logger } from './logger.js';
import { HeaderName } from './wire.js';

/** One completion callback: POST {callbackUrl}/{executionId}:complete with a CompletionCallback body. */
export interface Completion {
  readonly callbackUrl: string;
  readonly executionId: string;
  readonly traceId: string;
  readonly callbackToken: string | undefined;
  /** The CompletionCallback JSON, already serialised. */
  readonly body: string;
}

export interface DeliveryOptions {
  readonly logger: Logger;
  /** Tries in all (default 6: the first and 5 retries, about 10 s of backoff). */
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Time one attempt may take before it counts as a network error. */
  readonly attemptTimeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export type DeliveryResult =
  | { readonly delivered: true; readonly attempts: number; readonly status: number }
  | { readonly delivered: false; readonly attempts: number; readonly reason: string };

type Attempt =
  | { kind: 'answered'; status: number; headers: IncomingHttpHeaders }
  | { kind: 'failed'; reason: string };

/**
 * The spec's CallbackClient. Network errors, 408, 429 and 5xx are retried with exponential backoff
 * and ±20 % jitter (Retry-After, when sent, is honoured up to maxDelayMs); other 4xx answers are
 * final. 409 counts as delivered: the control plane already holds a result for this execution and
 * ignores late or duplicate callbacks (DESIGN.md §4).
 */
export async function deliverCompletion(
  completion: Completion,
  options: DeliveryOptions,
): Promise<DeliveryResult> {
  const maxAttempts = options.maxAttempts ?? 6;
  const baseDelayMs = options.baseDelayMs ?? 400;
  const maxDelayMs = options.maxDelayMs ?? 4_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const url = new URL(`${completion.callbackUrl}/${encodeURIComponent(completion.executionId)}:complete`);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(completion.body)),
    [HeaderName.executionId]: completion.executionId,
    [HeaderName.traceId]: completion.traceId,
  };
  if (completion.callbackToken !== undefined) {
    headers[HeaderName.authorization] = `Bearer ${completion.callbackToken}`;
  }
  const log = options.logger.child({ executionId: completion.executionId, traceId: completion.traceId });

  let reason = 'no attempt was made';
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const result = await post(url, headers, completion.body, options.attemptTimeoutMs ?? 5_000);
    let retryAfterMs: number | undefined;
    if (result.kind === 'answered') {
      if ((result.status >= 200 && result.status < 300) || result.status === 409) {
        return { delivered: true, attempts: attempt, status: result.status };
      }
      reason = `the callback was answered with status ${result.status}`;
      if (!isRetryableStatus(result.status)) return { delivered: false, attempts: attempt, reason };
      retryAfterMs = retryAfter(result.headers['retry-after']);
    } else {
      reason = result.reason;
    }
    if (attempt === maxAttempts) break;
    const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)) * (0.8 + 0.4 * random());
    const delayMs = Math.round(Math.min(maxDelayMs, Math.max(backoff, retryAfterMs ?? 0)));
    log.warn('completion callback failed; retrying', { attempt, reason, delayMs, url: url.href });
    await sleep(delayMs);
  }
  return { delivered: false, attempts: maxAttempts, reason };
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function retryAfter(header: string | undefined): number | undefined {
  if (header === undefined || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim()) * 1000;
}

async function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<Attempt> {
  const request = url.protocol === 'https:' ? (await import('node:https')).request : httpRequest;
  return new Promise((resolve) => {
    const outgoing = request(url, { method: 'POST', headers, timeout: timeoutMs }, (response) => {
      response.resume();
      response.on('end', () =>
        resolve({ kind: 'answered', status: response.statusCode ?? 0, headers: response.headers }),
      );
      response.on('error', (error) => resolve({ kind: 'failed', reason: error.message }));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', (error) => resolve({ kind: 'failed', reason: `${error.message}` }));
    outgoing.end(body);
  });
}
