import { Kind, type TSchema } from '@sinclair/typebox';
import type { ValidationIssue } from './error-info.js';

export interface DropNullFieldsOptions {
  /** Also drop `x-*` keys (OpenAPI-style extension keys) at every object level. */
  readonly ignoreExtensionKeys?: boolean;
}

export interface DroppedNullFields {
  readonly value: unknown;
  /** Required properties sent as null: "must not be null". */
  readonly issues: ValidationIssue[];
}

/**
 * Null means absent (DESIGN.md §3): clients that serialise every absent field as `null` (the
 * original nanofaas's Java CLI does) are understood. Returns `value` without the optional
 * properties that are null, at every level of nested object schemas; a required property that is
 * null is an issue naming it. A property whose schema accepts any value (`input`, `output`) keeps
 * its null: there null is data. The input is not modified; objects are copied only when changed.
 */
export function dropNullFields(
  schema: TSchema,
  value: unknown,
  options: DropNullFieldsOptions = {},
): DroppedNullFields {
  const issues: ValidationIssue[] = [];
  return { value: drop(schema, value, options, '', issues), issues };
}

function drop(
  schema: TSchema,
  value: unknown,
  options: DropNullFieldsOptions,
  path: string,
  issues: ValidationIssue[],
): unknown {
  const properties = (schema as { properties?: Record<string, TSchema> }).properties;
  if (properties === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
    return value;
  }
  const required = new Set((schema as { required?: string[] }).required ?? []);
  let copy: Record<string, unknown> | undefined;
  const source = value as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const inner = source[key];
    const propertySchema = Object.hasOwn(properties, key) ? properties[key] : undefined;
    const field = path === '' ? key : `${path}.${key}`;
    let next: unknown = inner;
    let remove = false;
    if (options.ignoreExtensionKeys === true && key.startsWith('x-')) remove = true;
    else if (propertySchema === undefined) next = inner;
    else if (inner === null && !acceptsNull(propertySchema)) {
      if (required.has(key)) issues.push({ field, rule: 'required', message: 'must not be null' });
      remove = true;
    } else next = drop(propertySchema, inner, options, field, issues);
    if (remove || next !== inner) {
      copy ??= { ...source };
      if (remove) delete copy[key];
      else copy[key] = next;
    }
  }
  return copy ?? value;
}

/** Whether null is a value of the schema (then it is data, not an absent field). */
function acceptsNull(schema: TSchema): boolean {
  const kind = schema[Kind];
  if (kind === 'Unknown' || kind === 'Any' || kind === 'Null') return true;
  const anyOf = (schema as { anyOf?: TSchema[] }).anyOf;
  return kind === 'Union' && anyOf !== undefined && anyOf.some(acceptsNull);
}
