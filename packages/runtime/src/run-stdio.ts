import type { Readable, Writable } from 'node:stream';
import type { RuntimeConfig } from './config.js';
import type { Handler } from './handler.js';
import { type InvocationOutcome, invokeHandler } from './invoke-handler.js';
import type { Logger } from './logger.js';
import { decodeInvocationRequest } from './request-validation.js';
import { JSON_CONTENT_TYPE } from './serialise-output.js';
import { generateTraceId } from './trace-id.js';
import { type ErrorAnswer, errorAnswer } from './wire.js';

export type StdioConfig = Pick<
  RuntimeConfig,
  'maxBodyBytes' | 'timeoutMs' | 'functionName' | 'executionId' | 'traceId'
>;

export interface StdioStreams {
  readonly stdin: Readable;
  readonly stdout: Writable;
}

/**
 * STDIO mode (the watchdog's STDIO runtime mode): one InvocationRequest JSON on stdin, the output on
 * stdout and exit code 0; on any error `{"error":{...}}` on stdout and exit code 1. Logs go to stderr
 * only. EXECUTION_ID, TRACE_ID and TIMEOUT_MS come from the environment the watchdog sets.
 * Resolves to the exit code once stdout has been written.
 */
export async function runStdio(
  handler: Handler,
  config: StdioConfig,
  streams: StdioStreams,
  logger: Logger,
): Promise<number> {
  const executionId = config.executionId ?? crypto.randomUUID();
  const traceId = config.traceId ?? generateTraceId();
  const outcome = await invokeFromStdin(handler, config, streams.stdin, logger, executionId, traceId);
  if (outcome.ok) {
    await write(streams.stdout, outcome.output.body);
    return 0;
  }
  await write(streams.stdout, JSON.stringify({ error: outcome.answer.error }));
  return 1;
}

async function invokeFromStdin(
  handler: Handler,
  config: StdioConfig,
  stdin: Readable,
  logger: Logger,
  executionId: string,
  traceId: string,
): Promise<InvocationOutcome | { ok: false; answer: ErrorAnswer }> {
  const text = await readAll(stdin, config.maxBodyBytes);
  if (text === undefined) {
    const message = `stdin is over the limit of ${config.maxBodyBytes} bytes (MAX_BODY_BYTES)`;
    return { ok: false, answer: errorAnswer('PAYLOAD_TOO_LARGE', message) };
  }
  const decoded = await decodeInvocationRequest(text);
  if (!decoded.ok) return decoded;
  return invokeHandler(
    handler,
    {
      input: decoded.request.input,
      metadata: decoded.request.metadata ?? {},
      contentType: JSON_CONTENT_TYPE,
      executionId,
      traceId,
      timeoutMs: config.timeoutMs,
      attempt: 1,
    },
    { logger, functionName: config.functionName },
  );
}

/** All of a stream as UTF-8, or undefined once it passes maxBytes. */
async function readAll(stream: Readable, maxBytes: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    length += buffer.length;
    if (length > maxBytes) {
      stream.destroy();
      return undefined;
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, length).toString('utf8');
}

function write(stream: Writable, body: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(body, (error) => (error ? reject(error) : resolve()));
  });
}
