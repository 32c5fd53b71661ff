import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { InvocationRequest, ValidationIssue } from '@nanofaas/contracts';
import { classifyContentType } from './content-type.js';
import type { Handler } from './handler.js';
import { type Invocation, type InvocationOutcome, invokeHandler } from './invoke-handler.js';
import type { Logger } from './logger.js';
import { readBody } from './read-body.js';
import { isBareInvocationRequest, parseJsonBody, validateInvocationRequest } from './request-validation.js';
import type { RuntimeMetrics } from './runtime-metrics.js';
import { JSON_CONTENT_TYPE } from './serialise-output.js';
import { resolveTraceId } from './trace-id.js';
import { type ErrorAnswer, errorAnswer, HeaderKey, HeaderName } from './wire.js';

/** What the invoke route shares with the server around it. */
export interface InvokeRouteState {
  readonly handler: Handler;
  readonly logger: Logger;
  readonly metrics: RuntimeMetrics;
  readonly maxBodyBytes: number;
  readonly timeoutMs: number;
  readonly functionName: string | undefined;
  readonly initDurationMs: number;
  /** True until the first /invoke of the process has been answered. */
  coldStart: boolean;
  /** Set when the server drains: answers then close their connection. */
  draining: boolean;
}

const EMPTY_METADATA: Readonly<Record<string, string>> = Object.freeze({});

/**
 * POST /invoke, top to bottom (docs: packages/runtime/README.md, "Request pipeline"):
 *   1. headers     X-Execution-Id, X-Trace-Id / traceparent, X-Timeout-Ms, X-Dispatch-Attempt → 400
 *   2. media type  JSON → InvocationRequest; anything else → raw bytes                     → 415
 *   3. body        at most maxBodyBytes                                                     → 413
 *   4. decode      JSON.parse → 400 MALFORMED_JSON; contracts' schema → 400 VALIDATION_FAILED
 *   5. run         handler until its deadline → 408 TIMEOUT; throws → 500 (its code / UNHANDLED_ERROR)
 *   6. answer      output bytes → 200; unserialisable → 500 INVALID_OUTPUT
 */
export async function handleInvoke(
  state: InvokeRouteState,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const headers = request.headers;
  const executionId = headerValue(headers[HeaderKey.executionId]) ?? crypto.randomUUID();
  const traceId = resolveTraceId(
    headerValue(headers[HeaderKey.traceId]),
    headerValue(headers[HeaderKey.traceparent]),
  );
  const ids = { executionId, traceId };
  state.metrics.inFlight++;
  try {
    const timing = readTiming(headers, state.timeoutMs);
    if ('answer' in timing) return reply(state, response, ids, timing.answer, undefined);

    const format = classifyContentType(headers['content-type']);
    if (format.kind === 'unsupported') return reply(state, response, ids, format.answer, undefined);

    const body = await readBody(request, state.maxBodyBytes);
    if (body.kind === 'aborted') return;
    if (body.kind === 'rejected') return reply(state, response, ids, body.answer, undefined, true);

    let invocationRequest: InvocationRequest;
    let contentType = JSON_CONTENT_TYPE;
    if (format.kind === 'json') {
      const parsed = parseJsonBody(body.body.toString('utf8'));
      if (!parsed.ok) return reply(state, response, ids, parsed.answer, undefined);
      if (isBareInvocationRequest(parsed.value)) {
        invocationRequest = parsed.value; // the common case, checked without loading the schemas
      } else {
        const validated = await validateInvocationRequest(parsed.value);
        if (!validated.ok) return reply(state, response, ids, validated.answer, undefined);
        invocationRequest = validated.request;
      }
    } else {
      invocationRequest = { input: body.body };
      contentType = format.contentType;
    }

    const invocation: Invocation = {
      input: invocationRequest.input,
      metadata: invocationRequest.metadata ?? EMPTY_METADATA,
      contentType,
      executionId,
      traceId,
      timeoutMs: timing.timeoutMs,
      attempt: timing.attempt,
    };
    const running = invokeHandler(state.handler, invocation, {
      logger: state.logger,
      functionName: state.functionName,
      watchCancel: (abort) => {
        const onClose = () => {
          if (!response.writableFinished) abort(new Error('the caller closed the connection'));
        };
        response.once('close', onClose);
        return () => response.off('close', onClose);
      },
    });
    const outcome = running instanceof Promise ? await running : running;
    reply(state, response, ids, outcome, outcome.durationMs);
  } catch (error) {
    state.logger.error('invoke failed inside the runtime', { ...ids, err: error });
    const answer = errorAnswer('INTERNAL_ERROR', 'the runtime failed to handle the invocation');
    if (!response.headersSent) reply(state, response, ids, answer, undefined);
    else response.destroy();
  } finally {
    state.metrics.inFlight--;
  }
}

interface Timing {
  readonly timeoutMs: number;
  readonly attempt: number;
}

/** X-Timeout-Ms can lower the configured timeout (never raise it); X-Dispatch-Attempt defaults to 1. */
function readTiming(
  headers: IncomingMessage['headers'],
  configuredMs: number,
): Timing | { answer: ErrorAnswer } {
  const issues: ValidationIssue[] = [];
  const timeoutHeader = headerValue(headers[HeaderKey.timeoutMs]);
  const attemptHeader = headerValue(headers[HeaderKey.dispatchAttempt]);
  const requestedMs = timeoutHeader === undefined ? undefined : positiveInteger(timeoutHeader);
  const attempt = attemptHeader === undefined ? 1 : positiveInteger(attemptHeader);
  if (requestedMs === undefined && timeoutHeader !== undefined) {
    issues.push(headerIssue('X-Timeout-Ms', timeoutHeader));
  }
  if (attempt === undefined) issues.push(headerIssue('X-Dispatch-Attempt', attemptHeader));
  if (issues.length > 0 || attempt === undefined) {
    const message = issues.map((issue) => `header ${issue.field}: ${issue.message}`).join('; ');
    return { answer: errorAnswer('VALIDATION_FAILED', message, { issues }) };
  }
  return { timeoutMs: Math.min(requestedMs ?? configuredMs, configuredMs), attempt };
}

function headerIssue(field: string, value: string | undefined): ValidationIssue {
  return { field, rule: 'type', message: `must be a positive whole number (got ${JSON.stringify(value)})` };
}

function positiveInteger(text: string): number | undefined {
  if (!/^\s*\d+\s*$/.test(text)) return undefined;
  const value = Number(text);
  return value >= 1 && Number.isSafeInteger(value) ? value : undefined;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.length === 0 ? undefined : first;
}

/** Writes a success or error answer with the runtime's response headers. */
function reply(
  state: InvokeRouteState,
  response: ServerResponse,
  ids: { executionId: string; traceId: string },
  result: InvocationOutcome | ErrorAnswer,
  durationMs: number | undefined,
  closeConnection = false,
): void {
  const headers: OutgoingHttpHeaders = {
    [HeaderName.executionId]: ids.executionId,
    [HeaderName.traceId]: ids.traceId,
  };
  if (state.coldStart) {
    state.coldStart = false;
    headers[HeaderName.coldStart] = 'true';
    headers[HeaderName.initDurationMs] = String(state.initDurationMs);
  } else {
    headers[HeaderName.coldStart] = 'false';
  }
  if (closeConnection || state.draining) headers['connection'] = 'close';

  let status: number;
  let body: string | Uint8Array;
  if ('ok' in result && result.ok) {
    status = 200;
    body = result.output.body;
    headers['content-type'] = result.output.contentType;
  } else {
    const answer = 'ok' in result ? result.answer : result;
    status = answer.status;
    body = JSON.stringify({ error: answer.error });
    headers['content-type'] = JSON_CONTENT_TYPE;
    headers[HeaderName.errorOrigin] = answer.error.origin;
  }
  headers['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  response.writeHead(status, headers);
  response.end(body);
  state.metrics.recordInvocation(status, durationMs);
  if (state.logger.isLevelEnabled('debug')) {
    state.logger.debug('invocation answered', { ...ids, status, durationMs });
  }
}
