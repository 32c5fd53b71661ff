import { FunctionError } from '@nanofaas/runtime';

export type JsonObject = { [key: string]: unknown };

/** A dotted path into nested objects: "address.city" → ["address", "city"]. */
export type FieldPath = readonly string[];

// Keys that would reach an object's prototype instead of its own data.
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);
const MAX_SEGMENTS = 32;

/** Parses "a.b.c"; `where` names the operation field in error messages ("operations.2.from"). */
export function parseFieldPath(value: unknown, where: string): FieldPath {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidOperation(where, `must be a non-empty dotted path such as "address.city"`);
  }
  const segments = value.split('.');
  if (segments.some((segment) => segment.length === 0)) {
    throw invalidOperation(where, `"${value}" has an empty segment`);
  }
  if (segments.length > MAX_SEGMENTS)
    throw invalidOperation(where, `"${value}" is deeper than ${MAX_SEGMENTS} levels`);
  const forbidden = segments.find((segment) => FORBIDDEN_SEGMENTS.has(segment));
  if (forbidden !== undefined)
    throw invalidOperation(where, `"${value}" uses the reserved name "${forbidden}"`);
  return segments;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object holding the path's last segment, or undefined when a segment on the way is missing. */
export function parentOf(document: JsonObject, path: FieldPath): JsonObject | undefined {
  let current: unknown = document;
  for (const segment of path.slice(0, -1)) {
    if (!isJsonObject(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return isJsonObject(current) ? current : undefined;
}

export function lastSegment(path: FieldPath): string {
  return path[path.length - 1] as string;
}

/** True when the path exists in the document. */
export function hasPath(document: JsonObject, path: FieldPath): boolean {
  const parent = parentOf(document, path);
  return parent !== undefined && Object.hasOwn(parent, lastSegment(path));
}

export function invalidOperation(where: string, message: string): FunctionError {
  return new FunctionError('INVALID_OPERATION', `${where}: ${message}`, { details: { field: where } });
}
