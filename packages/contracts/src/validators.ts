import { CompletionCallbackSchema } from './completion-callback.js';
import type { ValidationIssue } from './error-info.js';
import { type FunctionSpec, FunctionSpecSchema } from './function-spec.js';
import { InvocationRequestSchema } from './invocation.js';
import { ReplicasRequestSchema } from './replicas.js';
import { compileValidator, type ValidationResult } from './validation.js';

export const InvocationRequestValidator = compileValidator(InvocationRequestSchema);
export const CompletionCallbackValidator = compileValidator(CompletionCallbackSchema);
export const ReplicasRequestValidator = compileValidator(ReplicasRequestSchema);
const functionSpecShape = compileValidator(FunctionSpecSchema);

/** Schema plus the rules that span fields, which JSON Schema cannot state plainly. */
export function validateFunctionSpec(value: unknown): ValidationResult<FunctionSpec> {
  const result = functionSpecShape.validate(value);
  if (!result.ok) return result;
  const issues = crossFieldIssues(result.value);
  return issues.length === 0 ? result : { ok: false, issues };
}

function crossFieldIssues(spec: FunctionSpec): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const { minReplicas, maxReplicas } = spec.scaling ?? {};
  if (minReplicas !== undefined && maxReplicas !== undefined && minReplicas > maxReplicas) {
    issues.push({
      field: 'scaling.minReplicas',
      rule: 'maximum',
      message: `must not exceed scaling.maxReplicas (${minReplicas} > ${maxReplicas})`,
    });
  }
  if (spec.image === undefined && spec.runtimeCommand === undefined && spec.endpointUrl === undefined) {
    issues.push({
      field: 'runtimeCommand',
      rule: 'required',
      message: 'one of image, runtimeCommand or endpointUrl is required to run the function',
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
