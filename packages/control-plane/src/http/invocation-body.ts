import { InvocationRequestValidator, JsonLimits, type JsonMember, scanJson } from '@nanofaas/contracts';
import { malformed } from './read-body.js';
import { validated, validationError } from './validate-input.js';

const INPUT_PREFIX = Buffer.from('{"input":');
const METADATA_PREFIX = Buffer.from(',"metadata":');
const CLOSE = Buffer.from('}');

/**
 * The body of :invoke and :enqueue as the function will receive it: an InvocationRequest as JSON
 * bytes, whose `input` is the exact bytes the caller sent (DESIGN.md §3: data is never
 * re-encoded). The body is scanned once without building the input; only `metadata` (small
 * strings) is parsed, to validate it. A body that is already `{"input": …}` plus non-null
 * metadata is passed on as is; otherwise (`"metadata": null`, duplicate keys) it is rebuilt
 * from the caller's own slices.
 */
export function parseInvocationBody(body: Buffer): Buffer {
  const scan = scanJson(body, JsonLimits.maxDepth);
  if (!scan.ok) throw malformed(scan.reason, scan.offset, scan.tooDeep);
  const members = scan.members;
  if (members === undefined) {
    throw validationError([{ field: '', rule: 'type', message: 'must be an object {"input": …}' }]);
  }
  let input: JsonMember | undefined;
  let metadata: JsonMember | undefined;
  for (const member of members) {
    // The last of duplicate keys wins, as in JSON.parse.
    if (member.key === 'input') input = member;
    else if (member.key === 'metadata') metadata = member;
    else {
      throw validationError([{ field: member.key, rule: 'unknownField', message: 'is not a known field' }]);
    }
  }
  if (input === undefined) {
    throw validationError([{ field: 'input', rule: 'required', message: 'is required (any JSON value)' }]);
  }
  let metadataBytes: Buffer | undefined;
  if (metadata !== undefined) {
    metadataBytes = body.subarray(metadata.start, metadata.end);
    const value: unknown = JSON.parse(metadataBytes.toString('utf8'));
    if (value === null) metadataBytes = undefined;
    else validated(InvocationRequestValidator, { input: null, metadata: value });
  }
  const asSent = members.length === (metadataBytes === undefined ? 1 : 2);
  if (asSent) return body;
  const parts = [INPUT_PREFIX, body.subarray(input.start, input.end)];
  if (metadataBytes !== undefined) parts.push(METADATA_PREFIX, metadataBytes);
  parts.push(CLOSE);
  return Buffer.concat(parts);
}
