import type { IncomingMessage } from 'node:http';
import { PlatformError } from '@nanofaas/contracts';

/**
 * JSON, or what command-line clients send by default for a JSON body (curl -d: form-urlencoded;
 * some tools: text/plain). The body is parsed as JSON either way; multipart and others get 415.
 */
const ACCEPTED_CONTENT_TYPE =
  /^(application\/([a-z0-9.+-]*\+)?json|application\/x-www-form-urlencoded|text\/plain)\s*(;|$)/i;

/** Past this many times the limit, the connection is cut instead of drained (a hostile sender). */
const DRAIN_FACTOR = 4;

/**
 * Reads and parses a JSON body of at most `maxBytes`. A larger body is PAYLOAD_TOO_LARGE (413) —
 * refused from Content-Length when it is declared, else when the limit is crossed.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const contentType = req.headers['content-type'];
  if (contentType !== undefined && !ACCEPTED_CONTENT_TYPE.test(contentType)) {
    req.resume();
    throw new PlatformError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type must be application/json (got "${contentType}")`,
    );
  }
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > maxBytes) {
    discard(req, maxBytes);
    throw tooLarge(maxBytes);
  }
  const text = await readText(req, maxBytes);
  if (text.trim() === '') {
    throw new PlatformError('MALFORMED_JSON', 'the body is empty; send a JSON document');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : 'invalid JSON';
    throw new PlatformError('MALFORMED_JSON', `the body is not valid JSON: ${detail}`);
  }
}

function readText(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        if (!over) {
          over = true;
          chunks.length = 0;
          reject(tooLarge(maxBytes));
        }
        if (size > maxBytes * DRAIN_FACTOR) req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over)
        resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (error) => {
      if (!over) reject(error);
    });
  });
}

function discard(req: IncomingMessage, maxBytes: number): void {
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes * DRAIN_FACTOR) req.destroy();
  });
  req.on('error', () => undefined);
}

function tooLarge(maxBytes: number): PlatformError {
  return new PlatformError('PAYLOAD_TOO_LARGE', `the body is over the limit of ${maxBytes} bytes`);
}
