import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCatalogue, errorInfo, HeaderKeys, Headers } from '@nanofaas/contracts';
import {
  HeaderKey,
  HeaderName,
  type RuntimeErrorCode,
  RuntimeErrors,
  runtimeErrorInfo,
} from '../src/wire.js';

// The runtime keeps its own copy of a few contract values to avoid loading the contracts at start-up
// (see src/wire.ts); these tests keep the copy in step with the contracts.
describe('runtime wire constants', () => {
  it('match the contracts header names', () => {
    for (const [name, value] of Object.entries(HeaderKey)) {
      assert.equal(value, HeaderKeys[name as keyof typeof HeaderKeys], name);
    }
    for (const [name, value] of Object.entries(HeaderName)) {
      assert.equal(value, Headers[name as keyof typeof Headers], name);
    }
  });

  it('match the contracts error catalogue', () => {
    for (const [code, entry] of Object.entries(RuntimeErrors)) {
      const definition = ErrorCatalogue[code as keyof typeof ErrorCatalogue];
      assert.ok(definition, `${code} is in the catalogue`);
      assert.deepEqual(
        entry,
        { status: definition.status, origin: definition.origin, retryable: definition.retryable },
        code,
      );
      assert.deepEqual(
        runtimeErrorInfo(code as RuntimeErrorCode, 'm'),
        errorInfo(code as keyof typeof ErrorCatalogue, 'm'),
      );
    }
  });
});
