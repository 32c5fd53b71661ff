import type { ErrorInfo } from '@nanofaas/contracts';
import type { Handler } from './handler.js';
import { invokeHandler } from './invoke-handler.js';
import { createLogger, type LogFields, type LogLevel } from './logger.js';
import { JSON_CONTENT_TYPE } from './serialise-output.js';
import { generateTraceId } from './trace-id.js';

export { type ServedFunction, type ServeFunctionOptions, serveFunction } from './serve-function.js';

export interface InvokeLocalOptions {
  readonly metadata?: Record<string, string>;
  readonly executionId?: string;
  readonly traceId?: string;
  /** Default 30000, as in the runtime. */
  readonly timeoutMs?: number;
  readonly attempt?: number;
  /** Media type of `input`: set it (with a Buffer input) to test raw-body handling. */
  readonly contentType?: string;
  readonly functionName?: string;
  /** Lowest level captured in `logs` (default debug). */
  readonly logLevel?: LogLevel;
  /** Also print the log lines to stderr (default false). */
  readonly printLogs?: boolean;
}

interface LocalResultBase {
  /** HTTP status the runtime would answer with. */
  readonly status: number;
  /** The function's log records, each with executionId and traceId. */
  readonly logs: readonly LogFields[];
  readonly durationMs: number;
}

export type LocalInvocationResult =
  | (LocalResultBase & {
      readonly ok: true;
      /** The output as the caller receives it: JSON round-tripped, or a Buffer for binary output. */
      readonly output: unknown;
      readonly contentType: string;
    })
  | (LocalResultBase & { readonly ok: false; readonly error: ErrorInfo });

/**
 * Runs a handler the way the runtime does — deadline, error mapping, output serialisation — without
 * a server, so a function can be unit-tested:
 *
 *     const result = await invokeLocal(handler, { text: 'a b a' });
 *     assert.equal(result.ok && result.output.words, 3);
 */
export async function invokeLocal(
  handler: Handler<never, unknown>,
  input: unknown,
  options: InvokeLocalOptions = {},
): Promise<LocalInvocationResult> {
  const logs: LogFields[] = [];
  const logger = createLogger({
    level: options.logLevel ?? 'debug',
    sink: (record) => {
      logs.push(record);
      if (options.printLogs) process.stderr.write(`${JSON.stringify(record)}\n`);
    },
  });
  const outcome = await invokeHandler(
    handler as Handler,
    {
      input,
      metadata: options.metadata ?? {},
      contentType: options.contentType ?? JSON_CONTENT_TYPE,
      executionId: options.executionId ?? `local-${generateTraceId().slice(0, 12)}`,
      traceId: options.traceId ?? generateTraceId(),
      timeoutMs: options.timeoutMs ?? 30_000,
      attempt: options.attempt ?? 1,
    },
    { logger, functionName: options.functionName },
  );
  if (!outcome.ok) {
    return {
      ok: false,
      status: outcome.answer.status,
      error: outcome.answer.error,
      logs,
      durationMs: outcome.durationMs,
    };
  }
  const { body, contentType } = outcome.output;
  const output = typeof body === 'string' ? JSON.parse(body) : Buffer.from(body);
  return { ok: true, status: 200, output, contentType, logs, durationMs: outcome.durationMs };
}
