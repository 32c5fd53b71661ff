import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineFunction, FunctionError } from '../src/index.js';
import { invokeLocal } from '../src/testing.js';

describe('invokeLocal (@nanofaas/runtime/testing)', () => {
  const greet = defineFunction<{ name?: unknown }>(({ input, metadata }, { logger }) => {
    if (typeof input.name !== 'string')
      throw new FunctionError('INVALID_INPUT', 'field "name": must be a string');
    logger.info('greeting', { name: input.name });
    return { greeting: `hello ${input.name}`, at: new Date(0), tenant: metadata['tenant'] };
  });

  it('returns the output as the caller would receive it (JSON round trip) with the logs', async () => {
    const result = await invokeLocal(
      greet,
      { name: 'Ada' },
      { metadata: { tenant: 'acme' }, executionId: 'e-1' },
    );
    assert.equal(result.ok, true);
    assert.ok(result.ok);
    assert.equal(result.status, 200);
    assert.deepEqual(result.output, {
      greeting: 'hello Ada',
      at: '1970-01-01T00:00:00.000Z',
      tenant: 'acme',
    });
    assert.equal(result.contentType, 'application/json');
    const [line] = result.logs;
    assert.equal(line?.['msg'], 'greeting');
    assert.equal(line?.['executionId'], 'e-1');
    assert.match(String(line?.['traceId']), /^[0-9a-f]{32}$/);
  });

  it('returns a FunctionError as the error the caller would receive', async () => {
    const result = await invokeLocal(greet, {});
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.equal(result.status, 500);
    assert.deepEqual(result.error, {
      code: 'INVALID_INPUT',
      message: 'field "name": must be a string',
      origin: 'function',
      retryable: false,
    });
  });

  it('maps other throws, timeouts and unserialisable output like the runtime', async () => {
    const thrown = await invokeLocal(() => {
      throw new RangeError('bad range');
    }, null);
    assert.ok(!thrown.ok);
    assert.equal(thrown.error.code, 'UNHANDLED_ERROR');
    assert.equal(thrown.error.message, 'bad range');

    let aborted = false;
    const slow = await invokeLocal(
      (_request, { signal }) =>
        new Promise((resolve) =>
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve(1);
          }),
        ),
      null,
      { timeoutMs: 50 },
    );
    assert.ok(!slow.ok);
    assert.equal(slow.status, 408);
    assert.equal(slow.error.code, 'TIMEOUT');
    assert.equal(aborted, true);

    const circular = await invokeLocal(() => {
      const value: Record<string, unknown> = {};
      value['self'] = value;
      return value;
    }, null);
    assert.ok(!circular.ok);
    assert.equal(circular.error.code, 'INVALID_OUTPUT');
  });

  it('returns null for undefined and a Buffer for binary output; passes raw input with its type', async () => {
    const nothing = await invokeLocal(() => undefined, 1);
    assert.ok(nothing.ok);
    assert.equal(nothing.output, null);
    const bytes = await invokeLocal(
      ({ input, contentType }) => Buffer.concat([Buffer.from(`${contentType}:`), input as Buffer]),
      Buffer.from('raw'),
      { contentType: 'text/plain' },
    );
    assert.ok(bytes.ok);
    assert.equal(bytes.contentType, 'application/octet-stream');
    assert.deepEqual(bytes.output, Buffer.from('text/plain:raw'));
  });
});
