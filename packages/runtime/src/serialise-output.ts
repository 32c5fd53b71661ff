import { stringifyOutput } from './exact-number.js';
import { type ErrorAnswer, errorAnswer } from './wire.js';

export const JSON_CONTENT_TYPE = 'application/json';
export const BINARY_CONTENT_TYPE = 'application/octet-stream';

/** A handler's return value as the bytes that go on the wire. */
export interface SerialisedOutput {
  readonly body: string | Uint8Array;
  readonly contentType: string;
}

export type SerialiseResult = { ok: true; output: SerialisedOutput } | { ok: false; answer: ErrorAnswer };

/**
 * JSON for any JSON value (undefined → `null`; an ExactNumber as its own text), the bytes themselves for a Buffer, Uint8Array or
 * ArrayBuffer. Circular structures, BigInts, functions and symbols are INVALID_OUTPUT.
 */
export function serialiseOutput(value: unknown): SerialiseResult {
  if (value instanceof Uint8Array) return binary(value);
  if (value instanceof ArrayBuffer) return binary(new Uint8Array(value));
  if (value === undefined) return { ok: true, output: { body: 'null', contentType: JSON_CONTENT_TYPE } };
  let body: string | undefined;
  try {
    body = stringifyOutput(value);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return invalid(`the function's output cannot be serialised to JSON: ${reason}`);
  }
  if (body === undefined)
    return invalid(`the function returned a ${typeof value}, which is not a JSON value`);
  return { ok: true, output: { body, contentType: JSON_CONTENT_TYPE } };
}

function binary(bytes: Uint8Array): SerialiseResult {
  return { ok: true, output: { body: bytes, contentType: BINARY_CONTENT_TYPE } };
}

function invalid(message: string): SerialiseResult {
  return { ok: false, answer: errorAnswer('INVALID_OUTPUT', message) };
}
