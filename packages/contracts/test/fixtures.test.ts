import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  CompletionCallbackSchema,
  compileValidator,
  EnqueueResponseSchema,
  ErrorBodySchema,
  ExecutionStatusSchema,
  InvocationRequestValidator,
  InvocationResponseSchema,
  JsonLimits,
  ReplicasRequestValidator,
  scanJson,
  summariseIssues,
  type ValidationIssue,
  type ValidationResult,
  validateCompletionCallback,
  validateFunctionSpec,
} from '../src/index.js';

interface FixtureFile {
  valid: unknown[];
  invalid: { value: unknown; field: string; rule: string }[];
}

const fixturesDir = new URL('../fixtures/', import.meta.url);
const validators: Record<string, (value: unknown) => ValidationResult<unknown>> = {
  'function-spec.json': validateFunctionSpec,
  'invocation-request.json': (value) => InvocationRequestValidator.validate(value),
  'completion-callback.json': validateCompletionCallback,
  'replicas-request.json': (value) => ReplicasRequestValidator.validate(value),
  'execution-status.json': (value) => compileValidator(ExecutionStatusSchema).validate(value),
  'invocation-response.json': (value) => compileValidator(InvocationResponseSchema).validate(value),
  'enqueue-response.json': (value) => compileValidator(EnqueueResponseSchema).validate(value),
  'error-body.json': (value) => compileValidator(ErrorBodySchema).validate(value),
  // JSON texts (strings) that must pass through the platform byte for byte, and texts that are not JSON.
  'json-vectors.json': (value) => {
    const scan = scanJson(Buffer.from(String(value), 'utf8'), JsonLimits.maxDepth);
    return scan.ok
      ? { ok: true, value }
      : { ok: false, issues: [{ field: '', rule: 'format', message: scan.reason }] };
  },
};

describe('contract fixtures', () => {
  it('has a validator for every fixture file and a fixture file for every validator', () => {
    const files = readdirSync(fixturesDir).filter((file) => file.endsWith('.json'));
    assert.deepEqual(files.sort(), Object.keys(validators).sort());
  });

  for (const [file, validate] of Object.entries(validators)) {
    const fixture = JSON.parse(readFileSync(new URL(file, fixturesDir), 'utf8')) as FixtureFile;

    it(`${file}: accepts every valid example`, () => {
      for (const value of fixture.valid) {
        const result = validate(value);
        assert.ok(
          result.ok,
          `expected valid: ${JSON.stringify(value)}: ${result.ok ? '' : summariseIssues(result.issues)}`,
        );
      }
    });

    it(`${file}: rejects every invalid example, naming the field and the rule`, () => {
      for (const { value, field, rule } of fixture.invalid) {
        const result = validate(value);
        assert.equal(result.ok, false, `expected invalid: ${JSON.stringify(value)}`);
        const issues = (result as { issues: ValidationIssue[] }).issues;
        const issue = issues.find((candidate) => candidate.field === field);
        assert.ok(issue, `no issue for field "${field}" in ${JSON.stringify(issues)}`);
        assert.equal(issue.rule, rule, `rule for "${field}" of ${JSON.stringify(value)}`);
        assert.ok(issue.message.length > 5);
        if (field !== '') assert.match(summariseIssues(issues), new RegExp(`field "${escapeRegExp(field)}"`));
      }
    });
  }
});

it('CompletionCallbackSchema is the one the callback validator enforces', () => {
  assert.equal((CompletionCallbackSchema as { $id?: string }).$id, 'CompletionCallback');
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
