import { FormatRegistry, type Static, type TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors';
import { PlatformError } from './error-catalogue.js';
import type { ValidationIssue } from './error-info.js';

// RFC 3339 date-time, the only string format the contracts use.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (value) => DATE_TIME.test(value));

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

export interface Validator<T> {
  /** Fast boolean check (the hot path). */
  check(value: unknown): value is T;
  /** Check that explains every failure by field and rule. */
  validate(value: unknown): ValidationResult<T>;
}

/** Compiles a schema on first use, so importing the contracts stays cheap for cold starts. */
export function compileValidator<S extends TSchema>(schema: S): Validator<Static<S>> {
  let compiled: TypeCheck<S> | undefined;
  const get = () => {
    compiled ??= TypeCompiler.Compile(schema);
    return compiled;
  };
  return {
    check: (value: unknown): value is Static<S> => get().Check(value),
    validate(value) {
      const checker = get();
      if (checker.Check(value)) return { ok: true, value };
      return { ok: false, issues: describeErrors(checker.Errors(value)) };
    },
  };
}

function describeErrors(errors: Iterable<ValueError>): ValidationIssue[] {
  const byField = new Map<string, ValidationIssue>();
  for (const error of withoutNullBranches(errors)) {
    const field = fieldOf(error.path);
    if (byField.has(field)) continue;
    byField.set(field, { field, rule: ruleOf(error.type), message: messageOf(error) });
  }
  return [...byField.values()];
}

/**
 * A value that fails `T | null` fails `T`: its errors explain it better than "expected union"
 * (the `null` branch only says that null would also do).
 */
function* withoutNullBranches(errors: Iterable<ValueError>): Iterable<ValueError> {
  for (const error of errors) {
    const branches = (error.schema as { anyOf?: TSchema[] }).anyOf;
    const nonNull = branches?.findIndex((branch) => (branch as { type?: unknown }).type !== 'null') ?? -1;
    const nullable =
      branches?.length === 2 && branches.some((branch) => (branch as { type?: unknown }).type === 'null');
    const inner = error.errors[nonNull];
    if (error.type === ValueErrorType.Union && nullable && inner !== undefined)
      yield* withoutNullBranches(inner);
    else yield error;
  }
}

/** "/scaling/minReplicas" → "scaling.minReplicas"; array indexes stay numeric ("command.2"). */
export function fieldOf(path: string): string {
  return path
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function ruleOf(type: ValueErrorType): string {
  const name = ValueErrorType[type] ?? 'Invalid';
  if (name === 'ObjectRequiredProperty') return 'required';
  if (name === 'ObjectAdditionalProperties') return 'unknownField';
  if (name.endsWith('Pattern')) return 'pattern';
  if (name.endsWith('ExclusiveMinimum') || name.endsWith('Minimum')) return 'minimum';
  if (name.endsWith('ExclusiveMaximum') || name.endsWith('Maximum')) return 'maximum';
  if (name.endsWith('MinLength') || name.endsWith('MinItems') || name.endsWith('MinProperties'))
    return 'minLength';
  if (name.endsWith('MaxLength') || name.endsWith('MaxItems') || name.endsWith('MaxProperties'))
    return 'maxLength';
  if (name === 'Union' || name === 'Literal') return 'enum';
  if (name.endsWith('Format')) return 'format';
  return 'type';
}

function messageOf(error: ValueError): string {
  const rule = ruleOf(error.type);
  if (rule === 'required') return 'is required';
  const custom = (error.schema as { errorMessage?: unknown }).errorMessage;
  if (rule === 'unknownField') {
    // A record with key patterns (env) reports a bad key as an unknown property of itself.
    const keyed = 'patternProperties' in error.schema && typeof custom === 'string';
    return keyed ? `is not an allowed key: ${custom}` : 'is not a known field';
  }
  const base = typeof custom === 'string' ? custom : lowerFirst(error.message);
  return `${base} (got ${preview(error.value)})`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'string' ? JSON.stringify(value) : safeJson(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return typeof value;
  }
}

/** One line for an error message: `field "name": must be ...; field "timeoutMs": ...`. */
export function summariseIssues(issues: readonly ValidationIssue[]): string {
  return issues
    .map((issue) =>
      issue.field === '' ? `body: ${issue.message}` : `field "${issue.field}": ${issue.message}`,
    )
    .join('; ');
}

/** The VALIDATION_FAILED error (400) for `issues`, each naming its field. */
export function validationFailed(issues: ValidationIssue[]): PlatformError {
  return new PlatformError('VALIDATION_FAILED', summariseIssues(issues), { issues });
}
