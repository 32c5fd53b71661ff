import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  explainInvalidFunctionName,
  FunctionDefaults,
  FunctionLimits,
  MAX_FUNCTION_NAME_LENGTH,
  resolveFunctionSpec,
  summariseIssues,
  validateFunctionSpec,
} from '../src/index.js';

describe('resolveFunctionSpec', () => {
  it('applies the documented defaults', () => {
    const spec = resolveFunctionSpec({ name: 'echo', runtimeCommand: 'cat' });
    assert.equal(spec.timeoutMs, FunctionDefaults.timeoutMs);
    assert.equal(spec.concurrency, FunctionDefaults.concurrency);
    assert.equal(spec.maxRetries, 3);
    assert.equal(spec.queueSize, FunctionDefaults.queueSize);
    assert.equal(spec.executionMode, 'DEPLOYMENT');
    assert.equal(spec.runtimeMode, 'HTTP');
    assert.deepEqual(spec.scaling, {
      strategy: 'INTERNAL',
      minReplicas: 1,
      maxReplicas: 4,
      targetInFlight: FunctionDefaults.concurrency,
      idleTimeoutMs: FunctionDefaults.scaling.idleTimeoutMs,
    });
  });

  it('keeps what the user set, and raises maxReplicas to a higher minReplicas', () => {
    const spec = resolveFunctionSpec({
      name: 'echo',
      runtimeCommand: 'cat',
      concurrency: 2,
      maxRetries: 0,
      scaling: { minReplicas: 6 },
    });
    assert.equal(spec.concurrency, 2);
    assert.equal(spec.maxRetries, 0);
    assert.equal(spec.scaling.minReplicas, 6);
    assert.equal(spec.scaling.maxReplicas, 6);
    assert.equal(spec.scaling.targetInFlight, 2);
  });
});

describe('function names', () => {
  it('explains each broken rule', () => {
    assert.equal(explainInvalidFunctionName('word-stats'), undefined);
    assert.match(explainInvalidFunctionName('Word')!, /lowercase/);
    assert.match(explainInvalidFunctionName('x'.repeat(MAX_FUNCTION_NAME_LENGTH + 1))!, /limit is 52/);
    assert.match(explainInvalidFunctionName('')!, /empty/);
  });

  it('rejects a timeout above the documented maximum with the maximum in the message', () => {
    const result = validateFunctionSpec({
      name: 'f',
      runtimeCommand: 'cat',
      timeoutMs: FunctionLimits.maxTimeoutMs + 1,
    });
    assert.equal(result.ok, false);
    if (!result.ok)
      assert.match(summariseIssues(result.issues), new RegExp(String(FunctionLimits.maxTimeoutMs)));
  });
});
