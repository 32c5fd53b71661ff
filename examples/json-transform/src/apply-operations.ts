import { FunctionError } from '@nanofaas/runtime';
import {
  type FieldPath,
  hasPath,
  isJsonObject,
  type JsonObject,
  lastSegment,
  parentOf,
} from './field-path.js';
import type { Operation } from './operations.js';

/** Applies the operations in order to a copy of the document; the input is never changed. */
export function applyOperations(document: JsonObject, operations: readonly Operation[]): JsonObject {
  let current = structuredClone(document);
  operations.forEach((operation, index) => {
    current = applyOne(current, operation, `operations.${index}`);
  });
  return current;
}

function applyOne(document: JsonObject, operation: Operation, where: string): JsonObject {
  switch (operation.op) {
    case 'pick':
      return pick(document, operation.fields, where);
    case 'rename':
      rename(document, operation.from, operation.to, where);
      return document;
    case 'uppercase':
      for (const path of operation.fields) uppercase(document, path, where);
      return document;
  }
}

// The document is already a private copy, so picked values can be shared with it.
function pick(document: JsonObject, fields: readonly FieldPath[], where: string): JsonObject {
  const picked: JsonObject = {};
  for (const path of fields) {
    if (!hasPath(document, path)) continue;
    setPath(picked, path, (parentOf(document, path) as JsonObject)[lastSegment(path)], where);
  }
  return picked;
}

function rename(document: JsonObject, from: FieldPath, to: FieldPath, where: string): void {
  const source = parentOf(document, from);
  if (source === undefined || !Object.hasOwn(source, lastSegment(from))) throw notFound(where, from);
  if (hasPath(document, to)) {
    throw new FunctionError('FIELD_EXISTS', `${where}: the target "${to.join('.')}" already exists`, {
      details: { operation: where, path: to.join('.') },
    });
  }
  const value = source[lastSegment(from)];
  delete source[lastSegment(from)];
  setPath(document, to, value, where);
}

function uppercase(document: JsonObject, path: FieldPath, where: string): void {
  const parent = parentOf(document, path);
  const key = lastSegment(path);
  if (parent === undefined || !Object.hasOwn(parent, key)) throw notFound(where, path);
  const value = parent[key];
  if (typeof value !== 'string') {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw new FunctionError('NOT_A_STRING', `${where}: "${path.join('.')}" is ${got}, not a string`, {
      details: { operation: where, path: path.join('.') },
    });
  }
  parent[key] = value.toUpperCase();
}

/** Sets a value, creating the intermediate objects; a non-object on the way is NOT_AN_OBJECT. */
function setPath(document: JsonObject, path: FieldPath, value: unknown, where: string): void {
  let current = document;
  for (const [depth, segment] of path.slice(0, -1).entries()) {
    if (!Object.hasOwn(current, segment)) current[segment] = {};
    const next = current[segment];
    if (!isJsonObject(next)) {
      const at = path.slice(0, depth + 1).join('.');
      throw new FunctionError(
        'NOT_AN_OBJECT',
        `${where}: "${at}" is not an object, so "${path.join('.')}" cannot be set`,
        {
          details: { operation: where, path: at },
        },
      );
    }
    current = next;
  }
  current[lastSegment(path)] = value;
}

function notFound(where: string, path: FieldPath): FunctionError {
  return new FunctionError('FIELD_NOT_FOUND', `${where}: the document has no field "${path.join('.')}"`, {
    details: { operation: where, path: path.join('.') },
  });
}
