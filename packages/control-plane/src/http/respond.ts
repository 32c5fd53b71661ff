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
