import type { InvocationRequest } from '@nanofaas/contracts';
import { parseJsonExact } from './exact-number.js';
import { type ErrorAnswer, errorAnswer } from './wire.js';

export type ParsedRequest = { ok: true; request: InvocationRequest } | { ok: false; answer: ErrorAnswer };

/**
 * Parses a JSON body, numbers that a JavaScript number would change kept as ExactNumber;
 * MALFORMED_JSON names what is wrong with it.
 */
export function parseJsonBody(
  text: string,
): { ok: true; value: unknown } | { ok: false; answer: ErrorAnswer } {
  try {
    return { ok: true, value: parseJsonExact(text) };
  } catch (error) {
    if (text.trim().length === 0) {
      const message = 'the body is empty; expected an InvocationRequest {"input": ...}';
      return { ok: false, answer: errorAnswer('MALFORMED_JSON', message) };
    }
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, answer: errorAnswer('MALFORMED_JSON', `the body is not valid JSON: ${reason}`) };
  }
}

/**
 * Checks a decoded body against the contracts' InvocationRequest schema.
 *
 * A body that is exactly `{"input": <anything>}` is valid by that schema (input is any JSON value,
 * metadata is optional) and is accepted without loading it; every other body goes through the
 * contracts' validator, imported on first use so that the schemas cost nothing at start-up.
 */
export async function validateInvocationRequest(value: unknown): Promise<ParsedRequest> {
  if (isBareInvocationRequest(value)) return { ok: true, request: value };
  const { InvocationRequestValidator, summariseIssues } = await import('@nanofaas/contracts');
  const result = InvocationRequestValidator.validate(value);
  if (result.ok) return { ok: true, request: result.value };
  const message = `the body is not an InvocationRequest: ${summariseIssues(result.issues)}`;
  return { ok: false, answer: errorAnswer('VALIDATION_FAILED', message, { issues: result.issues }) };
}

/** `{"input": <anything>}` and nothing else: valid by the schema without loading it. */
export function isBareInvocationRequest(value: unknown): value is InvocationRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  let keys = 0;
  for (const key in value) {
    if (key !== 'input' || ++keys > 1) return false;
  }
  return keys === 1;
}

/** Parse then validate: the whole decoding of an InvocationRequest JSON text (STDIO, one-shot). */
export async function decodeInvocationRequest(text: string): Promise<ParsedRequest> {
  const parsed = parseJsonBody(text);
  return parsed.ok ? validateInvocationRequest(parsed.value) : parsed;
}
