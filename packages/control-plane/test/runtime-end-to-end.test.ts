import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startTestApp, type TestApp } from './app-test-kit.js';
import { type RuntimeProcess, startRuntimeProcess } from './fixtures/runtime-process.js';

describe('end to end with the real Node runtime as a POOL function', { timeout: 60_000 }, () => {
  let runtime: RuntimeProcess;
  let t: TestApp;
  before(async () => {
    runtime = await startRuntimeProcess();
    t = await startTestApp();
    const created = await t.request('POST', '/v1/functions', {
      name: 'node-fn',
      endpointUrl: runtime.invokeUrl,
    });
    assert.equal(created.status, 201, created.body);
  });
  after(async () => {
    await t.stop();
    await runtime.stop();
  });

  it('invokes the function: output, execution id and trace reach it', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const response = await t.request(
      'POST',
      '/v1/functions/node-fn:invoke',
      { input: { echo: [1, 2, 3] } },
      { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
    );
    assert.equal(response.status, 200, response.body);
    assert.deepEqual(response.json.output.echo, [1, 2, 3]);
    assert.equal(response.json.output.executionId, response.json.executionId);
    assert.equal(response.json.output.traceId, traceId);
    assert.equal(response.json.output.attempt, 1);
    // The runtime's first invocation is its cold start: its X-Init-Duration-Ms reaches the record.
    const record = await t.request('GET', `/v1/executions/${response.json.executionId}`);
    assert.equal(record.json.coldStart, true, record.body);
    assert.ok(Number.isInteger(record.json.initDurationMs) && record.json.initDurationMs >= 0, record.body);
    const warm = await t.request('POST', '/v1/functions/node-fn:invoke', { input: 1 });
    const warmRecord = await t.request('GET', `/v1/executions/${warm.json.executionId}`);
    assert.equal(warmRecord.json.coldStart, false, warmRecord.body);
    assert.equal(warmRecord.json.initDurationMs, undefined, 'only a cold start carries it');
  });

  it("passes the function's FunctionError through as a 500 with its code", async () => {
    const response = await t.request('POST', '/v1/functions/node-fn:invoke', {
      input: { fail: { code: 'OUT_OF_STOCK', message: 'none left' } },
    });
    assert.equal(response.status, 500, response.body);
    assert.equal(response.json.error.code, 'OUT_OF_STOCK');
    assert.equal(response.json.error.origin, 'function');
  });

  it('retries a retryable FunctionError with a higher X-Dispatch-Attempt', async () => {
    const response = await t.request('POST', '/v1/functions/node-fn:invoke', {
      input: { fail: { code: 'BUSY', retryable: true } },
    });
    assert.equal(response.status, 500);
    const record = await t.request('GET', `/v1/executions/${response.json.executionId}`);
    assert.equal(record.json.attempt, 4, 'default maxRetries 3');
  });

  it('times out a slow invocation with 408', async () => {
    const response = await t.request(
      'POST',
      '/v1/functions/node-fn:invoke',
      { input: { sleepMs: 5000 } },
      { 'x-timeout-ms': '250' },
    );
    assert.equal(response.status, 408, response.body);
    assert.equal(response.json.status, 'timeout');
  });

  it('runs enqueued executions', async () => {
    const enqueued = await t.request('POST', '/v1/functions/node-fn:enqueue', { input: { echo: 'async' } });
    assert.equal(enqueued.status, 202);
    const done = await eventually(async () => {
      const record = await t.request('GET', `/v1/executions/${enqueued.json.executionId}`);
      return record.json.status === 'success' ? record.json : undefined;
    });
    assert.equal(done.output.echo, 'async');
  });
});
