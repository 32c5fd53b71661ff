import type { RuntimeConfig } from './config.js';
import { type DeliveryOptions, deliverCompletion } from './deliver-completion.js';
import type { Handler } from './handler.js';
import { invokeHandler } from './invoke-handler.js';
import type { Logger } from './logger.js';
import { decodeInvocationRequest } from './request-validation.js';
import { JSON_CONTENT_TYPE } from './serialise-output.js';
import { generateTraceId } from './trace-id.js';
import { type ErrorAnswer, errorAnswer } from './wire.js';

export type OneShotRunConfig = Pick<RuntimeConfig, 'timeoutMs' | 'functionName' | 'traceId'> & {
  readonly executionId: string;
  readonly oneShot: NonNullable<RuntimeConfig['oneShot']>;
};

/**
 * One-shot mode (a REMOTE Job without the watchdog): runs the INVOCATION_PAYLOAD once and reports the
 * result to `{CALLBACK_URL}/{EXECUTION_ID}:complete`. Resolves to the exit code: 0 when the callback
 * was delivered and the function succeeded, 1 otherwise.
 */
export async function runOneShot(
  handler: Handler,
  config: OneShotRunConfig,
  logger: Logger,
  delivery: Omit<DeliveryOptions, 'logger'> = {},
): Promise<number> {
  const traceId = config.traceId ?? generateTraceId();
  const log = logger.child({ executionId: config.executionId, traceId });
  const result = await run(handler, config, traceId, logger);
  const body = result.ok
    ? `{"success":true,"output":${result.json}}`
    : JSON.stringify({ success: false, error: result.answer.error });

  const delivered = await deliverCompletion(
    {
      callbackUrl: config.oneShot.callbackUrl,
      executionId: config.executionId,
      traceId,
      callbackToken: config.oneShot.callbackToken,
      body,
    },
    { ...delivery, logger },
  );
  if (!delivered.delivered) {
    log.error('the completion callback could not be delivered', {
      attempts: delivered.attempts,
      reason: delivered.reason,
    });
    return 1;
  }
  if (result.ok) log.info('one-shot run succeeded', { attempts: delivered.attempts });
  else log.warn('one-shot run failed', { code: result.answer.error.code, attempts: delivered.attempts });
  return result.ok ? 0 : 1;
}

type RunResult = { ok: true; json: string } | { ok: false; answer: ErrorAnswer };

async function run(
  handler: Handler,
  config: OneShotRunConfig,
  traceId: string,
  logger: Logger,
): Promise<RunResult> {
  const decoded = await decodeInvocationRequest(config.oneShot.payload);
  if (!decoded.ok) {
    const { error } = decoded.answer;
    return {
      ok: false,
      answer: { ...decoded.answer, error: { ...error, message: `INVOCATION_PAYLOAD: ${error.message}` } },
    };
  }
  const outcome = await invokeHandler(
    handler,
    {
      input: decoded.request.input,
      metadata: decoded.request.metadata ?? {},
      contentType: JSON_CONTENT_TYPE,
      executionId: config.executionId,
      traceId,
      timeoutMs: config.timeoutMs,
      attempt: 1,
    },
    { logger, functionName: config.functionName },
  );
  if (!outcome.ok) return outcome;
  if (typeof outcome.output.body !== 'string') {
    const message = 'binary output cannot be carried by the completion callback; return a JSON value';
    return { ok: false, answer: errorAnswer('INVALID_OUTPUT', message) };
  }
  return { ok: true, json: outcome.output.body };
}
