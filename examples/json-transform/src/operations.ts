import { type FieldPath, invalidOperation, isJsonObject, parseFieldPath } from './field-path.js';

/** The transformations json-transform knows, applied in order. */
export type Operation =
  /** Keep only these fields (missing ones are skipped). */
  | { readonly op: 'pick'; readonly fields: readonly FieldPath[] }
  /** Move a field to another path (intermediate objects are created). */
  | { readonly op: 'rename'; readonly from: FieldPath; readonly to: FieldPath }
  /** Upper-case these string fields. */
  | { readonly op: 'uppercase'; readonly fields: readonly FieldPath[] };

export const OPERATION_NAMES = ['pick', 'rename', 'uppercase'] as const;
export const MAX_OPERATIONS = 100;
export const MAX_FIELDS = 100;

/** Validates the declared operations; INVALID_OPERATION names the offending field ("operations.1.to"). */
export function parseOperations(value: unknown): Operation[] {
  if (!Array.isArray(value)) throw invalidOperation('operations', 'must be an array of operations');
  if (value.length > MAX_OPERATIONS) {
    throw invalidOperation('operations', `at most ${MAX_OPERATIONS} operations, got ${value.length}`);
  }
  return value.map((operation, index) => parseOperation(operation, `operations.${index}`));
}

function parseOperation(value: unknown, where: string): Operation {
  if (!isJsonObject(value)) throw invalidOperation(where, 'must be an object such as {"op": "pick", ...}');
  const { op } = value;
  switch (op) {
    case 'pick':
    case 'uppercase':
      allowOnly(value, ['op', 'fields'], where);
      return { op, fields: parseFields(value['fields'], `${where}.fields`) };
    case 'rename':
      allowOnly(value, ['op', 'from', 'to'], where);
      return {
        op,
        from: parseFieldPath(value['from'], `${where}.from`),
        to: parseFieldPath(value['to'], `${where}.to`),
      };
    default:
      throw invalidOperation(
        `${where}.op`,
        `must be one of ${OPERATION_NAMES.join(', ')}, got ${op === undefined ? 'nothing' : JSON.stringify(op)}`,
      );
  }
}

function parseFields(value: unknown, where: string): FieldPath[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidOperation(where, 'must be a non-empty array of dotted paths');
  }
  if (value.length > MAX_FIELDS)
    throw invalidOperation(where, `at most ${MAX_FIELDS} fields, got ${value.length}`);
  return value.map((field, index) => parseFieldPath(field, `${where}.${index}`));
}

function allowOnly(value: Record<string, unknown>, allowed: readonly string[], where: string): void {
  const unknown = Object.keys(value).find((key) => !allowed.includes(key));
  if (unknown !== undefined) {
    throw invalidOperation(
      `${where}.${unknown}`,
      `is not a field of this operation (allowed: ${allowed.join(', ')})`,
    );
  }
}
