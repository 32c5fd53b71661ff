import type { ErrorInfo } from '@nanofaas/contracts';
import { isFunctionError } from './function-error.js';
import type { FunctionContext, FunctionRequest, Handler } from './handler.js';
import type { Logger } from './logger.js';
import { type SerialisedOutput, serialiseOutput } from './serialise-output.js';
import { type ErrorAnswer, errorAnswer } from './wire.js';

/** One invocation, whichever mode it came from (HTTP, STDIO, one-shot, invokeLocal). */
export interface Invocation {
  readonly input: unknown;
  readonly metadata: Readonly<Record<string, string>>;
  readonly contentType: string;
  readonly executionId: string;
  readonly traceId: string;
  readonly timeoutMs: number;
  readonly attempt: number;
}

export interface InvokeOptions {
  readonly logger: Logger;
  readonly functionName?: string | undefined;
  /** Aborts the handler's signal early, e.g. when the HTTP caller goes away. */
  readonly cancel?: AbortSignal | undefined;
  readonly clock?: () => number;
}

export type InvocationOutcome =
  | { readonly ok: true; readonly output: SerialisedOutput; readonly durationMs: number }
  | { readonly ok: false; readonly answer: ErrorAnswer; readonly durationMs: number };

type Settled =
  | { kind: 'returned'; value: unknown }
  | { kind: 'threw'; thrown: unknown }
  | { kind: 'timeout' };

/**
 * Runs the handler until it settles or its deadline passes, and turns the result into wire bytes or
 * an error answer. A handler still running at the deadline is left to finish on its own (JavaScript
 * cannot stop it); its signal is aborted so it can stop early, and whatever it returns later is dropped.
 */
export async function invokeHandler(
  handler: Handler,
  invocation: Invocation,
  options: InvokeOptions,
): Promise<InvocationOutcome> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const deadline = started + invocation.timeoutMs;
  const controller = new AbortController();
  const logger = options.logger.child({ executionId: invocation.executionId, traceId: invocation.traceId });
  const onCancel = () => controller.abort(options.cancel?.reason);
  options.cancel?.addEventListener('abort', onCancel, { once: true });

  const request: FunctionRequest = {
    input: invocation.input,
    metadata: invocation.metadata,
    contentType: invocation.contentType,
    executionId: invocation.executionId,
    traceId: invocation.traceId,
    deadline,
    attempt: invocation.attempt,
  };
  const context: FunctionContext = {
    logger,
    signal: controller.signal,
    remainingMs: () => Math.max(0, deadline - clock()),
    functionName: options.functionName,
  };

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Settled>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), invocation.timeoutMs);
  });
  let settled: Settled;
  try {
    settled = await Promise.race([runHandler(handler, request, context), timedOut]);
  } finally {
    clearTimeout(timer);
    options.cancel?.removeEventListener('abort', onCancel);
  }
  const durationMs = clock() - started;

  switch (settled.kind) {
    case 'returned': {
      const result = serialiseOutput(settled.value);
      if (result.ok) return { ok: true, output: result.output, durationMs };
      logger.warn('invalid output', { code: result.answer.error.code, reason: result.answer.error.message });
      return { ok: false, answer: result.answer, durationMs };
    }
    case 'threw':
      return { ok: false, answer: describeFailure(settled.thrown, logger), durationMs };
    case 'timeout': {
      const message = `the function did not finish within its timeout of ${invocation.timeoutMs} ms`;
      controller.abort(timeoutReason(message));
      logger.warn('invocation timed out; the handler may still be running', {
        timeoutMs: invocation.timeoutMs,
      });
      return { ok: false, answer: errorAnswer('TIMEOUT', message), durationMs };
    }
  }
}

async function runHandler(handler: Handler, request: FunctionRequest, context: FunctionContext) {
  try {
    return { kind: 'returned', value: await handler(request, context) } satisfies Settled;
  } catch (thrown) {
    return { kind: 'threw', thrown } satisfies Settled;
  }
}

/** FunctionError → its own code; anything else → UNHANDLED_ERROR, message only (the stack is logged). */
export function describeFailure(thrown: unknown, logger: Logger): ErrorAnswer {
  if (isFunctionError(thrown)) {
    const error: ErrorInfo & { details?: unknown } = {
      code: thrown.code,
      message: thrown.message,
      origin: 'function',
      retryable: thrown.retryable,
    };
    if (thrown.details !== undefined && isSerialisable(thrown.details)) error.details = thrown.details;
    logger.debug('function error', { code: thrown.code, reason: thrown.message });
    return { status: 500, error };
  }
  logger.error('the handler threw an error', { err: thrown });
  const message = messageOf(thrown);
  return errorAnswer('UNHANDLED_ERROR', message.length > 0 ? message : 'the function threw an error');
}

function messageOf(thrown: unknown): string {
  try {
    return thrown instanceof Error ? thrown.message : String(thrown);
  } catch {
    return '';
  }
}

function isSerialisable(value: unknown): boolean {
  try {
    return JSON.stringify(value) !== undefined;
  } catch {
    return false;
  }
}

function timeoutReason(message: string): Error {
  const reason = new Error(message);
  reason.name = 'TimeoutError';
  return reason;
}
