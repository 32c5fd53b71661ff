import type { IncomingMessage, ServerResponse } from 'node:http';
import { JsonLimits, PlatformError, scanJson } from '@nanofaas/contracts';
import { type BodyBudget, BodyBudgetExhaustedError } from './body-budget.js';
import { validationError } from './validate-input.js';

/**
 * JSON, or what command-line clients send by default for a JSON body (curl -d: form-urlencoded;
 * some tools: text/plain). The body is parsed as JSON either way; multipart and others get 415.
 */
const ACCEPTED_CONTENT_TYPE =
  /^(application\/([a-z0-9.+-]*\+)?json|application\/x-www-form-urlencoded|text\/plain)\s*(;|$)/i;

/** Declared bodies above this size are read into one buffer allocated up front. */
const PREALLOCATE_MIN_BYTES = 64 * 1024;

/** Past this many times the limit, the connection is cut instead of drained (a hostile sender). */
const DRAIN_FACTOR = 4;

/**
 * Reads and parses a JSON body of at most `maxBytes` and `JsonLimits.maxDepth` levels (checked
 * before parsing, so no body reaches a recursive serialiser later).
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const body = await readBody(req, maxBytes);
  const scan = scanJson(body, JsonLimits.maxDepth);
  if (!scan.ok) throw malformed(scan.reason, scan.offset, scan.tooDeep);
  return JSON.parse(body.toString('utf8'));
}

/**
 * Reads a JSON body of at most `maxBytes` as bytes. A larger body is PAYLOAD_TOO_LARGE (413) —
 * refused from Content-Length when it is declared, else when the limit is crossed; an empty one
 * is MALFORMED_JSON.
 */
export async function readBody(
  req: IncomingMessage,
  maxBytes: number,
  budget?: { readonly budget: BodyBudget; readonly res: ServerResponse },
): Promise<Buffer> {
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
  const body = await readBytes(req, maxBytes, budget, Number.isFinite(declared) ? declared : undefined);
  if (isBlank(body)) throw new PlatformError('MALFORMED_JSON', 'the body is empty; send a JSON document');
  return body;
}

function isBlank(body: Buffer): boolean {
  for (const byte of body) if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return false;
  return true;
}

function readBytes(
  req: IncomingMessage,
  maxBytes: number,
  budget: { readonly budget: BodyBudget; readonly res: ServerResponse } | undefined,
  declared: number | undefined,
): Promise<Buffer> {
  let reserved = 0;
  const reserve = (bytes: number): boolean => {
    if (budget === undefined) return true;
    if (!budget.budget.tryReserve(bytes)) return false;
    if (reserved === 0) budget.res.once('close', () => budget.budget.release(reserved));
    reserved += bytes;
    return true;
  };
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    // A declared body is reserved whole, before any of it is buffered.
    if (declared !== undefined && declared > 0 && !reserve(declared)) {
      over = true;
      req.resume();
      reject(new BodyBudgetExhaustedError(budget!.budget.limitBytes));
      return;
    }
    // A large declared body is copied into one buffer of its size as it arrives: the socket's
    // chunks are let go at once and no second copy is made at the end (half the peak memory).
    // The HTTP parser never delivers more than Content-Length.
    let whole =
      declared !== undefined && declared > PREALLOCATE_MIN_BYTES
        ? Buffer.allocUnsafeSlow(declared)
        : undefined;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      if (declared === undefined && !reserve(chunk.length)) {
        over = true;
        chunks.length = 0;
        reject(new BodyBudgetExhaustedError(budget!.budget.limitBytes));
        req.destroy();
        return;
      }
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
      if (whole !== undefined) chunk.copy(whole, size - chunk.length);
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (over) return;
      if (whole !== undefined) resolve(size === whole.length ? whole : whole.subarray(0, size));
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
      // The request object lives on with its keep-alive connection, and these listeners with it.
      whole = undefined;
      chunks.length = 0;
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

/** MALFORMED_JSON, or VALIDATION_FAILED naming the depth limit for a body nested too deep. */
export function malformed(reason: string, offset: number, tooDeep: boolean): PlatformError {
  if (tooDeep) {
    return validationError([
      {
        field: '',
        rule: 'maxDepth',
        message: `nests arrays and objects deeper than ${JsonLimits.maxDepth} levels, the limit of a JSON body`,
      },
    ]);
  }
  return new PlatformError('MALFORMED_JSON', `the body is not valid JSON: ${reason} at byte ${offset}`);
}
