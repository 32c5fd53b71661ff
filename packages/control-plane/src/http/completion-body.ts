import { JsonLimits, scanJson, validateCompletionCallback } from '@nanofaas/contracts';
import type { RunCompletion } from '../backends/backend.js';
import { malformed } from './read-body.js';
import { validationError } from './validate-input.js';

const NULL_OUTPUT = Buffer.from('null');

/**
 * `{success, output?, error?}` with `output` kept as the bytes the run sent: the body is scanned
 * once, `success` and `error` are parsed and validated, `output` is never decoded.
 */
export function parseCompletion(body: Buffer): RunCompletion {
  const scan = scanJson(body, JsonLimits.maxDepth);
  if (!scan.ok) throw malformed(scan.reason, scan.offset, scan.tooDeep);
  if (scan.members === undefined) {
    throw validationError([{ field: '', rule: 'type', message: 'must be an object {"success": …}' }]);
  }
  const parsed: Record<string, unknown> = {};
  let output: Buffer | undefined;
  for (const { key, start, end } of scan.members) {
    if (key === 'output') output = body.subarray(start, end);
    else parsed[key] = JSON.parse(body.subarray(start, end).toString('utf8'));
  }
  const result = validateCompletionCallback(parsed);
  if (!result.ok) throw validationError(result.issues);
  const { success, error } = result.value;
  if (success) return { success: true, output: output ?? NULL_OUTPUT };
  return { success: false, error: error! };
}
