import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { eventually, startTestApp, type TestApp } from './app-test-kit.js';
import { type EchoProcess, startEchoProcess } from './fixtures/echo-process.js';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('invocations through the POOL backend', () => {
  let t: TestApp;
  let echo: EchoProcess;
  before(async () => {
    echo = await startEchoProcess();
    t = await startTestApp({ NANOFAAS_MAX_BODY_BYTES: '65536' });
    const created = await t.request('POST', '/v1/functions', {
      name: 'echo',
      endpointUrl: echo.url,
      maxRetries: 2,
    });
    assert.equal(created.status, 201, created.body);
  });
  after(async () => {
    await t.stop();
    await echo.stop();
  });

  it('answers 200 with the output and records the execution', async () => {
    const response = await t.request('POST', '/v1/functions/echo:invoke', { input: { echo: { n: 1 } } });
    assert.equal(response.status, 200, response.body);
    assert.equal(response.json.status, 'success');
    assert.deepEqual(response.json.output.echo, { n: 1 });
    assert.equal(response.json.output.attempt, 1);
    assert.equal(response.json.output.executionId, response.json.executionId);
    assert.equal(response.headers['x-execution-id'], response.json.executionId);
    const record = await t.request('GET', `/v1/executions/${response.json.executionId}`);
    assert.equal(record.status, 200);
    assert.equal(record.json.status, 'success');
    assert.equal(record.json.attempt, 1);
    assert.equal(record.json.coldStart, false);
    assert.ok(record.json.startedAt && record.json.finishedAt && record.json.durationMs >= 0);
  });

  it('continues the caller trace: traceparent and X-Trace-Id reach the function', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const withParent = await t.request(
      'POST',
      '/v1/functions/echo:invoke',
      { input: {} },
      { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    );
    assert.equal(withParent.json.output.traceId, traceId);
    assert.equal(withParent.headers['x-trace-id'], traceId);
    const withId = await t.request(
      'POST',
      '/v1/functions/echo:invoke',
      { input: {} },
      { 'x-trace-id': 'order-42' },
    );
    assert.equal(withId.json.output.traceId, 'order-42');
    const fresh = await t.request('POST', '/v1/functions/echo:invoke', { input: {} });
    assert.match(fresh.json.output.traceId, /^[0-9a-f]{32}$/);
  });

  it("answers 500 with the function's own error code, marked as the function's", async () => {
    const response = await t.request('POST', '/v1/functions/echo:invoke', {
      input: { fail: { code: 'CARD_DECLINED', message: 'no funds' } },
    });
    assert.equal(response.status, 500);
    assert.equal(response.json.status, 'error');
    assert.equal(response.json.error.code, 'CARD_DECLINED');
    assert.equal(response.headers['x-error-origin'], 'function');
    const record = await t.request('GET', `/v1/executions/${response.json.executionId}`);
    assert.equal(record.json.attempt, 1, 'a non-retryable function error is not retried');
  });

  it('retries a function error the function marked retryable', async () => {
    const response = await t.request('POST', '/v1/functions/echo:invoke', {
      input: { fail: { code: 'FLAKY', message: 'try again', retryable: true } },
    });
    assert.equal(response.status, 500);
    const record = await t.request('GET', `/v1/executions/${response.json.executionId}`);
    assert.equal(record.json.attempt, 3, 'maxRetries 2 → 3 attempts');
  });

  it('answers 408 when the function is slower than X-Timeout-Ms; the execution stays timeout', async () => {
    const response = await t.request(
      'POST',
      '/v1/functions/echo:invoke',
      { input: { sleepMs: 10_000 } },
      { 'x-timeout-ms': '300' },
    );
    assert.equal(response.status, 408, response.body);
    assert.equal(response.json.status, 'timeout');
    assert.equal(response.json.error.code, 'TIMEOUT');
    const record = await t.request('GET', `/v1/executions/${response.json.executionId}`);
    assert.equal(record.json.status, 'timeout');
  });

  it('answers 502 BACKEND_UNREACHABLE after retrying when the endpoint is down', async () => {
    const port = await closedPort();
    await t.request('POST', '/v1/functions', {
      name: 'down',
      endpointUrl: `http://127.0.0.1:${port}/`,
      maxRetries: 2,
    });
    const response = await t.request('POST', '/v1/functions/down:invoke', { input: 1 });
    assert.equal(response.status, 502, response.body);
    assert.equal(response.json.error.code, 'BACKEND_UNREACHABLE');
    assert.equal(response.headers['x-error-origin'], 'platform');
    const record = await t.request('GET', `/v1/executions/${response.json.executionId}`);
    assert.equal(record.json.attempt, 3);
    const metrics = await t.request('GET', '/metrics');
    assert.match(metrics.body, /nanofaas_retries_total\{function="down"\} 2/);
    assert.match(metrics.body, /nanofaas_invocations_total\{function="down",status="error"\} 1/);
  });

  it('enqueues (202) and runs the execution in the background', async () => {
    const response = await t.request('POST', '/v1/functions/echo:enqueue', { input: { echo: 'later' } });
    assert.equal(response.status, 202, response.body);
    assert.equal(response.json.status, 'queued');
    const done = await eventually(async () => {
      const record = await t.request('GET', `/v1/executions/${response.json.executionId}`);
      return record.json.status === 'success' ? record.json : undefined;
    });
    assert.equal(done.output.echo, 'later');
    const list = await t.request('GET', '/v1/executions?function=echo&status=success&limit=500');
    assert.ok(
      list.json.items.some((item: { executionId: string }) => item.executionId === response.json.executionId),
    );
  });

  describe('bad input', () => {
    const cases: Array<[string, string, unknown, Record<string, string>, number, RegExp]> = [
      ['an unknown function', '/v1/functions/missing:invoke', { input: 1 }, {}, 404, /FUNCTION_NOT_FOUND/],
      [
        'an invalid function name',
        '/v1/functions/Bad_Name:invoke',
        { input: 1 },
        {},
        400,
        /field \\"name\\"/,
      ],
      ['malformed JSON', '/v1/functions/echo:invoke', '{"input": [', {}, 400, /MALFORMED_JSON/],
      ['no input field', '/v1/functions/echo:invoke', { payload: 1 }, {}, 400, /field \\"payload\\"/],
      [
        'metadata of the wrong type',
        '/v1/functions/echo:invoke',
        { input: 1, metadata: { a: 1 } },
        {},
        400,
        /metadata/,
      ],
      [
        'a bad X-Timeout-Ms',
        '/v1/functions/echo:invoke',
        { input: 1 },
        { 'x-timeout-ms': 'soon' },
        400,
        /X-Timeout-Ms/,
      ],
      [
        'an oversized body',
        '/v1/functions/echo:invoke',
        { input: 'x'.repeat(70_000) },
        {},
        413,
        /PAYLOAD_TOO_LARGE/,
      ],
      [
        'a webhook without a secret',
        '/v1/functions/echo:enqueue',
        { input: 1 },
        { 'x-callback-url': 'http://127.0.0.1:1/' },
        400,
        /NANOFAAS_WEBHOOK_SECRET/,
      ],
      [
        'a bad Idempotency-Key',
        '/v1/functions/echo:invoke',
        { input: 1 },
        { 'idempotency-key': 'has space' },
        400,
        /Idempotency-Key/,
      ],
    ];
    for (const [label, url, body, headers, status, message] of cases) {
      it(label, async () => {
        const response = await t.request('POST', url, body, headers);
        assert.equal(response.status, status, response.body);
        assert.match(response.body, message);
      });
    }

    it('an unknown execution id (404) and a bad list query (400)', async () => {
      const missing = await t.request('GET', '/v1/executions/00000000-0000-0000-0000-000000000000');
      assert.equal(missing.status, 404);
      assert.equal(missing.json.error.code, 'EXECUTION_NOT_FOUND');
      assert.equal((await t.request('GET', '/v1/executions?status=done')).status, 400);
      assert.equal((await t.request('GET', '/v1/executions?limit=0')).status, 400);
    });
  });
});

describe("a POOL function's answer body", () => {
  let t: TestApp;
  let server: Server;
  before(async () => {
    const bodies: Record<string, string> = {
      '/spaced': ' {\n  "total" : 3,\n  "items" : [ "a", "b" ]\n}\n',
      '/scalar': '42',
      '/broken': '{"total": ',
    };
    server = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(bodies[req.url ?? ''] ?? '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    t = await startTestApp();
    for (const name of ['spaced', 'scalar', 'broken', 'empty']) {
      const created = await t.request('POST', '/v1/functions', {
        name,
        endpointUrl: `http://127.0.0.1:${port}/${name}`,
        maxRetries: 0,
      });
      assert.equal(created.status, 201, created.body);
    }
  });
  after(async () => {
    await t.stop();
    await new Promise((resolve) => server.close(resolve));
  });

  it('is the output whatever its whitespace, in the answer and in the stored execution', async () => {
    for (const [name, output] of [
      ['spaced', { total: 3, items: ['a', 'b'] }],
      ['scalar', 42],
      ['empty', null],
    ] as const) {
      const response = await t.request('POST', `/v1/functions/${name}:invoke`, { input: {} });
      assert.equal(response.status, 200, response.body);
      assert.deepEqual(response.json, {
        executionId: response.json.executionId,
        status: 'success',
        coldStart: false,
        output,
      });
      const stored = await t.request('GET', `/v1/executions/${response.json.executionId}`);
      assert.deepEqual(stored.json.output, output);
    }
  });

  it('that is not JSON ends the execution as INVALID_OUTPUT', async () => {
    const response = await t.request('POST', '/v1/functions/broken:invoke', { input: {} });
    assert.equal(response.json.status, 'error', response.body);
    assert.equal(response.json.error.code, 'INVALID_OUTPUT');
  });
});
