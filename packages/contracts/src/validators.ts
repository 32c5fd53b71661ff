import type { Static, TSchema } from '@sinclair/typebox';
import { splitCommand } from './command-line.js';
import { CompletionCallbackSchema } from './completion-callback.js';
import type { ValidationIssue } from './error-info.js';
import { effectiveExecutionMode, type FunctionSpec, FunctionSpecSchema } from './function-spec.js';
import { InvocationRequestSchema } from './invocation.js';
import { FunctionLimits } from './limits.js';
import { dropNullFields } from './null-fields.js';
import { parseQuantity } from './quantity.js';
import { ReplicasRequestSchema } from './replicas.js';
import { compileValidator, type ValidationResult, type Validator } from './validation.js';

export const InvocationRequestValidator = nullTolerantValidator(InvocationRequestSchema);
export const CompletionCallbackValidator = nullTolerantValidator(CompletionCallbackSchema);
export const ReplicasRequestValidator = nullTolerantValidator(ReplicasRequestSchema);
const functionSpecShape = compileValidator(FunctionSpecSchema);

/** The original nanofaas's name for `scaling` (DESIGN.md §3). */
const SCALING_ALIAS = 'scalingConfig';

/**
 * Schema plus the rules that span fields, which JSON Schema cannot state plainly. Edges are
 * tolerant where it is safe (DESIGN.md §3): null means absent, `scalingConfig` is `scaling`,
 * `x-*` keys are ignored; any other unknown key is an issue.
 */
export function validateFunctionSpec(value: unknown): ValidationResult<FunctionSpec> {
  const aliased = renameScalingAlias(value);
  if (!aliased.ok) return aliased;
  const dropped = dropNullFields(FunctionSpecSchema, aliased.value, { ignoreExtensionKeys: true });
  if (dropped.issues.length > 0) return { ok: false, issues: dropped.issues };
  const result = functionSpecShape.validate(dropped.value);
  if (!result.ok) return result;
  const issues = crossFieldIssues(result.value);
  return issues.length === 0 ? result : { ok: false, issues };
}

/** A validator that reads a null optional field as absent (a null required field is an issue). */
function nullTolerantValidator<S extends TSchema>(schema: S): Validator<Static<S>> {
  const validator = compileValidator(schema);
  return {
    // The hot path: a body without nulls passes as is.
    check: (value: unknown): value is Static<S> => validator.check(value),
    validate(value) {
      const dropped = dropNullFields(schema, value);
      if (dropped.issues.length > 0) return { ok: false, issues: dropped.issues };
      return validator.validate(dropped.value);
    },
  };
}

function renameScalingAlias(value: unknown): ValidationResult<unknown> {
  if (value === null || typeof value !== 'object' || !Object.hasOwn(value, SCALING_ALIAS)) {
    return { ok: true, value };
  }
  const { [SCALING_ALIAS]: alias, ...rest } = value as Record<string, unknown>;
  if (alias === null) return { ok: true, value: rest };
  if (rest.scaling !== undefined && rest.scaling !== null) {
    const message = 'is an alias of scaling: send one of the two';
    return { ok: false, issues: [{ field: SCALING_ALIAS, rule: 'conflict', message }] };
  }
  return { ok: true, value: { ...rest, scaling: alias } };
}

function crossFieldIssues(spec: FunctionSpec): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const issue = (field: string, rule: string, message: string) => issues.push({ field, rule, message });
  const { minReplicas, maxReplicas, strategy } = spec.scaling ?? {};
  if (minReplicas !== undefined && maxReplicas !== undefined && minReplicas > maxReplicas) {
    issue(
      'scaling.minReplicas',
      'maximum',
      `must not exceed scaling.maxReplicas (${minReplicas} > ${maxReplicas})`,
    );
  }
  if (strategy === 'NONE') {
    if (minReplicas === 0) issue('scaling.minReplicas', 'minimum', 'must be at least 1 with strategy NONE');
    if (maxReplicas !== undefined && maxReplicas !== (minReplicas ?? 1)) {
      issue(
        'scaling.maxReplicas',
        'enum',
        'must equal scaling.minReplicas with strategy NONE (a fixed count)',
      );
    }
  }
  if (spec.image === undefined && spec.runtimeCommand === undefined && spec.endpointUrl === undefined) {
    issue(
      'runtimeCommand',
      'required',
      'one of image, runtimeCommand or endpointUrl is required to run the function',
    );
  }
  const mode = effectiveExecutionMode(spec);
  if (mode === 'POOL' && spec.endpointUrl === undefined) {
    issue('endpointUrl', 'required', 'is required with executionMode POOL');
  }
  if (mode !== 'POOL' && spec.endpointUrl !== undefined) {
    issue('endpointUrl', 'unsupported', `is only called with executionMode POOL (this spec is ${mode})`);
  }
  if (spec.endpointUrl !== undefined) {
    const problem = explainEndpointUrl(spec.endpointUrl);
    if (problem !== undefined) issue('endpointUrl', 'format', problem);
  }
  if (spec.runtimeCommand !== undefined) {
    const problem = explainRuntimeCommand(spec.runtimeCommand);
    if (problem !== undefined) issue('runtimeCommand', 'format', problem);
  }
  spec.command?.forEach((arg, index) => {
    if (arg.includes('\0')) issue(`command.${index}`, 'format', 'must not contain a NUL character');
  });
  issues.push(...envIssues(spec.env));
  const memory = spec.resources?.memory;
  const memoryBytes = memory === undefined ? undefined : parseQuantity(memory);
  if (memoryBytes !== undefined && memoryBytes < FunctionLimits.minMemoryBytes) {
    issue(
      'resources.memory',
      'minimum',
      `must be at least ${FunctionLimits.minMemoryBytes / 1024 / 1024}Mi, the least a function starts in (got ${JSON.stringify(memory)})`,
    );
  }
  const cpu = spec.resources?.cpu;
  if (cpu !== undefined && parseQuantity(cpu) === 0) {
    issue('resources.cpu', 'minimum', `must be more than 0 (got ${JSON.stringify(cpu)})`);
  }
  return issues;
}

/**
 * Why a POOL `endpointUrl` cannot be called, parsed as the HTTP client parses it (WHATWG URL);
 * undefined when it can. Backends validate with it too (Backend.validate).
 */
export function explainEndpointUrl(text: string): string | undefined {
  if (text.includes('\0')) return 'must not contain a NUL character';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `is not a valid URL (got ${JSON.stringify(text)})`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (url.hostname === '') return 'must name a host';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials (user:password@)';
  return undefined;
}

/** Why the watchdog could never start `runtimeCommand` (its WATCHDOG_CMD), whatever the backend. */
function explainRuntimeCommand(command: string): string | undefined {
  if (command.includes('\0')) return 'must not contain a NUL character';
  const argv = splitCommand(command);
  if (argv === undefined) return 'has unbalanced quotes or a trailing backslash';
  if (argv.length === 0 || argv[0] === '') return 'must name a command (it is blank)';
  return undefined;
}

function envIssues(env: FunctionSpec['env']): ValidationIssue[] {
  if (env === undefined) return [];
  const issues: ValidationIssue[] = [];
  let total = 0;
  for (const [name, value] of Object.entries(env)) {
    if (value.includes('\0')) {
      issues.push({ field: `env.${name}`, rule: 'format', message: 'must not contain a NUL character' });
    }
    total += Buffer.byteLength(name) + Buffer.byteLength(value) + 2;
  }
  if (total > FunctionLimits.maxEnvTotalBytes) {
    issues.push({
      field: 'env',
      rule: 'maxLength',
      message: `must total at most ${FunctionLimits.maxEnvTotalBytes} bytes, the most a process can be started with beside the platform's variables (got ${total})`,
    });
  }
  return issues;
}

/** The completion callback: a failure must say why. */
export function validateCompletionCallback(value: unknown) {
  const result = CompletionCallbackValidator.validate(value);
  if (result.ok && !result.value.success && result.value.error === undefined) {
    const issue = { field: 'error', rule: 'required', message: 'is required when success is false' };
    return { ok: false as const, issues: [issue] };
  }
  return result;
}
