import type { ErrorInfo } from '@nanofaas/contracts';
import { isFunctionError } from './function-error.js';
import type { FunctionRequest, Handler } from './handler.js';
import { InvocationContext } from './invocation-context.js';
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
  /**
   * Lets the caller abort the handler's signal early (e.g. when the HTTP caller goes away): called
   * with an abort function, returns the function that stops watching. Only asynchronous handlers
   * are watched; a synchronous one has finished before anything could be cancelled.
   */
  readonly watchCancel?: ((abort: (reason: Error) => void) => () => void) | undefined;
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
 *
 * This is the hot path: the signal, the per-invocation logger and the deadline timer exist only when
 * used — a synchronous handler gets no timer, and one that never reads `context.signal` no
 * AbortController.
 */
export function invokeHandler(
  handler: Handler,
  invocation: Invocation,
  options: InvokeOptions,
): InvocationOutcome | Promise<InvocationOutcome> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const deadline = started + invocation.timeoutMs;
  const context = new InvocationContext(
    options.logger,
    invocation.executionId,
    invocation.traceId,
    deadline,
    clock,
    options.functionName,
  );
  const request: FunctionRequest = {
    input: invocation.input,
    metadata: invocation.metadata,
    contentType: invocation.contentType,
    executionId: invocation.executionId,
    traceId: invocation.traceId,
    deadline,
    attempt: invocation.attempt,
  };

  let result: unknown;
  try {
    result = handler(request, context);
  } catch (thrown) {
    return conclude({ kind: 'threw', thrown }, invocation, context, started, clock);
  }
  // A synchronous handler is answered in the same tick: no timer, no promise.
  if (!isThenable(result))
    return conclude({ kind: 'returned', value: result }, invocation, context, started, clock);
  return settleBeforeDeadline(result, invocation.timeoutMs, context, options.watchCancel).then((settled) =>
    conclude(settled, invocation, context, started, clock),
  );
}

function conclude(
  settled: Settled,
  invocation: Invocation,
  context: InvocationContext,
  started: number,
  clock: () => number,
): InvocationOutcome {
  const durationMs = clock() - started;
  // A synchronous handler cannot be interrupted; its answer still counts as late past the deadline.
  const outcome: Settled =
    settled.kind !== 'timeout' && durationMs > invocation.timeoutMs ? { kind: 'timeout' } : settled;
  switch (outcome.kind) {
    case 'returned': {
      const result = serialiseOutput(outcome.value);
      if (result.ok) return { ok: true, output: result.output, durationMs };
      context.logger.warn('invalid output', { reason: result.answer.error.message });
      return { ok: false, answer: result.answer, durationMs };
    }
    case 'threw':
      return { ok: false, answer: describeFailure(outcome.thrown, context.logger), durationMs };
    case 'timeout': {
      const message = `the function did not finish within its timeout of ${invocation.timeoutMs} ms`;
      context.abort(timeoutReason(message));
      context.logger.warn('invocation timed out; the handler may still be running', {
        timeoutMs: invocation.timeoutMs,
      });
      return { ok: false, answer: errorAnswer('TIMEOUT', message), durationMs };
    }
  }
}

async function settleBeforeDeadline(
  result: PromiseLike<unknown>,
  timeoutMs: number,
  context: InvocationContext,
  watchCancel: InvokeOptions['watchCancel'],
): Promise<Settled> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Settled>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
  });
  const unwatch = watchCancel?.((reason) => context.abort(reason));
  try {
    return await Promise.race([
      Promise.resolve(result).then(
        (value): Settled => ({ kind: 'returned', value }),
        (thrown: unknown): Settled => ({ kind: 'threw', thrown }),
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
    unwatch?.();
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
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
