import type { ServerResponse } from 'node:http';
import { type ErrorInfo, errorInfo, HeaderKeys, PlatformError } from '@nanofaas/contracts';
import { RejectedError } from '../admission/rate-limiter.js';
import type { Logger } from '../observability/logger.js';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendJsonText(res, status, JSON.stringify(body), headers);
}

/** Like sendJson, for a body already serialised. */
export function sendJsonText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Outputs up to this size are copied into one buffer; larger ones are written as they are. */
const COPY_OUTPUT_MAX_BYTES = 64 * 1024;

/**
 * `body` (an object) with `"output": <bytes>` appended: the function's answer goes out as the bytes
 * it wrote (DESIGN.md §3), never parsed or serialised again. Same fields, same order as
 * JSON.stringify of `{...body, output}`.
 */
export function sendJsonWithOutput(
  res: ServerResponse,
  status: number,
  body: object,
  output: Buffer,
  headers: Record<string, string> = {},
): void {
  const head = JSON.stringify(body);
  const prefix = Buffer.from(head === '{}' ? '{"output":' : `${head.slice(0, -1)},"output":`);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': prefix.length + output.length + 1,
    ...headers,
  });
  if (output.length <= COPY_OUTPUT_MAX_BYTES) {
    res.end(Buffer.concat([prefix, output, CLOSE_BRACE], prefix.length + output.length + 1));
    return;
  }
  res.cork();
  res.write(prefix);
  res.write(output);
  res.end(CLOSE_BRACE);
}

const CLOSE_BRACE = Buffer.from('}');

export function sendText(res: ServerResponse, status: number, text: string, contentType: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The one mapper from errors to responses: `{"error": ErrorInfo}`, the catalogue's status, X-Error-Origin. */
export function sendError(
  res: ServerResponse,
  error: unknown,
  logger: Logger,
  extraHeaders: Record<string, string> = {},
): void {
  let info: ErrorInfo;
  let status: number;
  const headers: Record<string, string> = { ...extraHeaders };
  if (error instanceof PlatformError) {
    info = error.info;
    status = error.status;
    if (error instanceof RejectedError) {
      headers[HeaderKeys.retryAfter] = String(error.retryAfterSeconds);
      headers[HeaderKeys.rejectReason] = error.code;
    }
    if (error.code === 'UNAUTHORIZED') headers['www-authenticate'] = 'Bearer';
  } else {
    logger.error({ err: error }, 'unexpected failure while handling a request');
    info = errorInfo('INTERNAL_ERROR', 'an unexpected failure inside the platform');
    status = 500;
  }
  headers[HeaderKeys.errorOrigin] = info.origin ?? 'platform';
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { error: info }, headers);
}
