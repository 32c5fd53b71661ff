import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invokeLocal } from '@nanofaas/runtime/testing';
import jsonTransform from '../src/index.js';

const order = {
  id: 7,
  customer: { name: 'ada lovelace', email: 'ada@example.org', address: { city: 'london', zip: 'N1' } },
  items: [{ sku: 'a-1', qty: 2 }],
  note: null,
};

async function transform(document: unknown, operations: unknown) {
  return invokeLocal(jsonTransform, { document, operations });
}

describe('json-transform', () => {
  it('applies rename, uppercase and pick in order', async () => {
    const result = await transform(order, [
      { op: 'rename', from: 'customer.name', to: 'name' },
      { op: 'uppercase', fields: ['name', 'customer.address.city'] },
      { op: 'pick', fields: ['id', 'name', 'customer.address.city', 'items', 'missing.field'] },
    ]);
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.output, {
      id: 7,
      name: 'ADA LOVELACE',
      customer: { address: { city: 'LONDON' } },
      items: [{ sku: 'a-1', qty: 2 }],
    });
  });

  it('returns the document unchanged for no operations, and never changes its input', async () => {
    const input = structuredClone(order);
    const same = await transform(input, []);
    assert.ok(same.ok);
    assert.deepEqual(same.output, order);
    await transform(input, [{ op: 'rename', from: 'id', to: 'orderId' }]);
    assert.deepEqual(input, order);
  });

  it('creates intermediate objects when renaming into a new path', async () => {
    const result = await transform({ city: 'Rome' }, [{ op: 'rename', from: 'city', to: 'address.city' }]);
    assert.ok(result.ok);
    assert.deepEqual(result.output, { address: { city: 'Rome' } });
  });

  const invalidInput: [unknown, RegExp][] = [
    ['text', /input must be an object/],
    [{ operations: [] }, /field "document": must be a JSON object/],
    [{ document: [1], operations: [] }, /field "document"/],
    [{ document: {}, operations: [], extra: 1 }, /field "extra": is not a known field/],
  ];
  for (const [input, message] of invalidInput) {
    it(`refuses input ${JSON.stringify(input)} with INVALID_INPUT`, async () => {
      const result = await invokeLocal(jsonTransform, input);
      assert.ok(!result.ok);
      assert.equal(result.error.code, 'INVALID_INPUT');
      assert.match(result.error.message, message);
    });
  }

  const invalidOperations: [unknown, RegExp][] = [
    [undefined, /^operations: must be an array/],
    [{ op: 'pick' }, /^operations: must be an array/],
    [['pick'], /^operations\.0: must be an object/],
    [
      [{ op: 'delete', fields: ['a'] }],
      /^operations\.0\.op: must be one of pick, rename, uppercase, got "delete"/,
    ],
    [[{ fields: ['a'] }], /^operations\.0\.op: .*got nothing/],
    [[{ op: 'pick', fields: [] }], /^operations\.0\.fields: must be a non-empty array/],
    [[{ op: 'pick', fields: 'a' }], /^operations\.0\.fields: must be a non-empty array/],
    [[{ op: 'pick', fields: ['a', 3] }], /^operations\.0\.fields\.1: must be a non-empty dotted path/],
    [[{ op: 'pick', fields: ['a..b'] }], /^operations\.0\.fields\.0: "a\.\.b" has an empty segment/],
    [[{ op: 'uppercase', fields: ['__proto__.x'] }], /reserved name "__proto__"/],
    [[{ op: 'rename', from: 'a' }], /^operations\.0\.to: must be a non-empty dotted path/],
    [
      [{ op: 'rename', from: 'a', to: 'b', fields: [] }],
      /^operations\.0\.fields: is not a field of this operation/,
    ],
    [Array.from({ length: 101 }, () => ({ op: 'pick', fields: ['a'] })), /at most 100 operations/],
  ];
  for (const [operations, message] of invalidOperations) {
    it(`refuses operations ${JSON.stringify(operations)?.slice(0, 60)} with INVALID_OPERATION`, async () => {
      const result = await transform(order, operations);
      assert.ok(!result.ok);
      assert.equal(result.error.code, 'INVALID_OPERATION');
      assert.equal(result.error.origin, 'function');
      assert.match(result.error.message, message);
    });
  }

  const unfitting: [unknown, string, RegExp][] = [
    [
      [{ op: 'rename', from: 'customer.phone', to: 'phone' }],
      'FIELD_NOT_FOUND',
      /operations\.0: the document has no field "customer\.phone"/,
    ],
    [[{ op: 'rename', from: 'id', to: 'customer' }], 'FIELD_EXISTS', /target "customer" already exists/],
    [
      [{ op: 'rename', from: 'id', to: 'customer.email.id' }],
      'NOT_AN_OBJECT',
      /"customer\.email" is not an object/,
    ],
    [[{ op: 'uppercase', fields: ['nope'] }], 'FIELD_NOT_FOUND', /no field "nope"/],
    [[{ op: 'uppercase', fields: ['id'] }], 'NOT_A_STRING', /"id" is number, not a string/],
    [[{ op: 'uppercase', fields: ['note'] }], 'NOT_A_STRING', /"note" is null/],
    [[{ op: 'uppercase', fields: ['items'] }], 'NOT_A_STRING', /"items" is an array/],
  ];
  for (const [operations, code, message] of unfitting) {
    it(`reports ${code} when the document does not fit ${JSON.stringify(operations)}`, async () => {
      const result = await transform(order, operations);
      assert.ok(!result.ok);
      assert.equal(result.error.code, code);
      assert.match(result.error.message, message);
      assert.equal(result.error.retryable, false);
    });
  }
});
