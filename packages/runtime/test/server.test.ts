import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { FunctionError } from '../src/function-error.js';
import type { Handler } from '../src/handler.js';
import { createLogger, type LogFields } from '../src/logger.js';
import { type RunningServer, startServer } from '../src/server.js';
import behaviours from './fixtures/behaviours.mjs';
import { httpRequest, invoke, invokeRaw } from './support/http-client.js';

const MAX_BODY_BYTES = 64 * 1024;

interface Fixture {
  valid: unknown[];
  invalid: { value: unknown; field: string; rule: string }[];
}
const invocationFixtures = JSON.parse(
  readFileSync(new URL('../../contracts/fixtures/invocation-request.json', import.meta.url), 'utf8'),
) as Fixture;

describe('HTTP runtime (in process)', () => {
  let server: RunningServer;
  const logs: LogFields[] = [];
  let abortedBy: unknown;

  // behaviours.mjs plus one case that records what the deadline did to its signal.
  const handler: Handler = (request, context) => {
    const input = request.input as { action?: string } | null;
    if (input !== null && typeof input === 'object' && input.action === 'await-abort') {
      return new Promise((resolve) => {
        context.signal.addEventListener('abort', () => {
          abortedBy = context.signal.reason;
          resolve('too late');
        });
      });
    }
    return behaviours(request, context);
  };

  before(async () => {
    const logger = createLogger({ level: 'debug', sink: (record) => logs.push(record) });
    server = await startServer(
      { port: 0, host: '127.0.0.1', maxBodyBytes: MAX_BODY_BYTES, timeoutMs: 30_000, functionName: 'tests' },
      handler,
      { logger, initDurationMs: 42 },
    );
  });
  after(() => server.close());

  async function assertStillServing() {
    const health = await httpRequest(`${server.url}/health`);
    assert.equal(health.status, 200);
    const echo = await invoke(server.url, { input: 'still here' });
    assert.equal(echo.status, 200);
    assert.equal(echo.text, '"still here"');
  }

  it('marks only the first invocation of the process as a cold start', async () => {
    const first = await invoke(server.url, { input: 1 });
    assert.equal(first.headers['x-cold-start'], 'true');
    assert.equal(first.headers['x-init-duration-ms'], '42');
    const second = await invoke(server.url, { input: 2 });
    assert.equal(second.headers['x-cold-start'], 'false');
    assert.equal(second.headers['x-init-duration-ms'], undefined);
  });

  it('answers /health with 200', async () => {
    const health = await httpRequest(`${server.url}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(health.json(), { status: 'ok' });
  });

  it('passes every valid contract fixture through unchanged', async () => {
    for (const request of invocationFixtures.valid) {
      const answer = await invoke(server.url, request);
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.headers['content-type'], 'application/json');
      assert.deepEqual(answer.json(), (request as { input: unknown }).input);
      assert.equal(answer.text, JSON.stringify((request as { input: unknown }).input));
    }
  });

  it('rejects every invalid contract fixture with 400 VALIDATION_FAILED naming the field', async () => {
    for (const { value, field, rule } of invocationFixtures.invalid) {
      const answer = await invoke(server.url, value);
      assert.equal(answer.status, 400, answer.text);
      const { error } = answer.json() as {
        error: { code: string; issues: { field: string; rule: string }[] };
      };
      assert.equal(error.code, 'VALIDATION_FAILED');
      assert.ok(
        error.issues.some((issue) => issue.field === field && issue.rule === rule),
        `${JSON.stringify(value)} → ${answer.text}`,
      );
      assert.equal(answer.headers['x-error-origin'], 'client');
    }
    await assertStillServing();
  });

  it('gives the handler ids, metadata, attempt and deadline from the request headers', async () => {
    const answer = await invoke(
      server.url,
      { input: { action: 'describe' }, metadata: { tenant: 'acme' } },
      {
        'X-Execution-Id': 'exec-42',
        'X-Trace-Id': 'trace-7',
        'X-Dispatch-Attempt': '2',
        'X-Timeout-Ms': '5000',
      },
    );
    assert.equal(answer.status, 200);
    const seen = answer.json() as Record<string, unknown>;
    assert.deepEqual(seen['metadata'], { tenant: 'acme' });
    assert.equal(seen['executionId'], 'exec-42');
    assert.equal(seen['traceId'], 'trace-7');
    assert.equal(seen['attempt'], 2);
    assert.equal(seen['contentType'], 'application/json');
    assert.equal(seen['deadlineInFuture'], true);
    assert.ok((seen['remainingMs'] as number) <= 5000 && (seen['remainingMs'] as number) > 0);
    assert.equal(seen['functionName'], 'tests');
    assert.equal(answer.headers['x-execution-id'], 'exec-42');
    assert.equal(answer.headers['x-trace-id'], 'trace-7');
  });

  it('takes the trace id from traceparent, else generates one and an execution id', async () => {
    const traced = await invoke(
      server.url,
      { input: { action: 'describe' } },
      {
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      },
    );
    assert.equal((traced.json() as { traceId: string }).traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    const bare = await invoke(server.url, { input: { action: 'describe' } });
    const seen = bare.json() as { traceId: string; executionId: string; metadata: object; attempt: number };
    assert.match(seen.traceId, /^[0-9a-f]{32}$/);
    assert.ok(seen.executionId.length > 0);
    assert.deepEqual(seen.metadata, {});
    assert.equal(seen.attempt, 1);
  });

  it('answers malformed JSON with 400 MALFORMED_JSON and keeps serving', async () => {
    for (const body of ['{"input": ', 'not json', '']) {
      const answer = await invokeRaw(server.url, body);
      assert.equal(answer.status, 400);
      const { error } = answer.json() as { error: Record<string, unknown> };
      assert.equal(error['code'], 'MALFORMED_JSON');
      assert.equal(error['origin'], 'client');
      assert.equal(error['retryable'], false);
    }
    await assertStillServing();
  });

  it('hands a non-JSON body to the handler as a Buffer with its content type', async () => {
    const answer = await httpRequest(`${server.url}/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv; charset=utf-8' },
      body: 'a,b\n1,2\n',
    });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json(), { contentType: 'text/csv; charset=utf-8', text: 'a,b\n1,2\n', bytes: 8 });
  });

  it('refuses JSON in a charset other than UTF-8 with 415 and keeps serving', async () => {
    const answer = await httpRequest(`${server.url}/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=iso-8859-1' },
      body: '{"input":"x"}',
    });
    assert.equal(answer.status, 415);
    assert.equal((answer.json() as { error: { code: string } }).error.code, 'UNSUPPORTED_MEDIA_TYPE');
    await assertStillServing();
  });

  it('refuses a body over the limit with 413, declared or chunked, and keeps serving', async () => {
    const declared = await invoke(server.url, { input: 'x'.repeat(MAX_BODY_BYTES) });
    assert.equal(declared.status, 413);
    assert.equal((declared.json() as { error: { code: string } }).error.code, 'PAYLOAD_TOO_LARGE');
    const chunked = await httpRequest(`${server.url}/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      chunks: Array.from({ length: 8 }, () => Buffer.alloc(16 * 1024, 'a')),
    });
    assert.equal(chunked.status, 413);
    assert.match((chunked.json() as { error: { message: string } }).error.message, /MAX_BODY_BYTES/);
    const atLimit = await invoke(server.url, { input: 'y'.repeat(MAX_BODY_BYTES - 20) });
    assert.equal(atLimit.status, 200);
    await assertStillServing();
  });

  it('answers a handler that never resolves with 408 TIMEOUT at the deadline', async () => {
    const answer = await invoke(server.url, { input: { action: 'hang' } }, { 'X-Timeout-Ms': '150' });
    assert.equal(answer.status, 408);
    const { error } = answer.json() as { error: Record<string, unknown> };
    assert.equal(error['code'], 'TIMEOUT');
    assert.equal(error['retryable'], true);
    assert.equal(answer.headers['x-error-origin'], 'function');
    await assertStillServing();
  });

  it('aborts the handler signal at the deadline', async () => {
    abortedBy = undefined;
    const answer = await invoke(server.url, { input: { action: 'await-abort' } }, { 'X-Timeout-Ms': '100' });
    assert.equal(answer.status, 408);
    assert.ok(abortedBy instanceof Error);
    assert.equal(abortedBy.name, 'TimeoutError');
  });

  it('refuses a malformed X-Timeout-Ms or X-Dispatch-Attempt with 400 naming the header', async () => {
    const answer = await invoke(
      server.url,
      { input: 1 },
      { 'X-Timeout-Ms': 'soon', 'X-Dispatch-Attempt': '0' },
    );
    assert.equal(answer.status, 400);
    const { error } = answer.json() as { error: { code: string; issues: { field: string }[] } };
    assert.equal(error.code, 'VALIDATION_FAILED');
    assert.deepEqual(
      error.issues.map((issue) => issue.field),
      ['X-Timeout-Ms', 'X-Dispatch-Attempt'],
    );
  });

  it('answers undefined output with null', async () => {
    const answer = await invoke(server.url, { input: { action: 'undefined' } });
    assert.equal(answer.status, 200);
    assert.equal(answer.text, 'null');
  });

  it('answers unserialisable output with 500 INVALID_OUTPUT and keeps serving', async () => {
    for (const action of ['circular', 'bigint', 'function']) {
      const answer = await invoke(server.url, { input: { action } });
      assert.equal(answer.status, 500, action);
      const { error } = answer.json() as { error: Record<string, unknown> };
      assert.equal(error['code'], 'INVALID_OUTPUT', action);
      assert.equal(error['origin'], 'function');
    }
    await assertStillServing();
  });

  it('sends binary output as application/octet-stream bytes', async () => {
    const answer = await invoke(server.url, { input: { action: 'binary', text: 'bytes ✓' } });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'application/octet-stream');
    assert.equal(answer.body.toString('utf8'), 'bytes ✓');
  });

  it("reports a FunctionError with the function's code, status 500 and origin function", async () => {
    const answer = await invoke(server.url, {
      input: {
        action: 'fail',
        code: 'CARD_DECLINED',
        message: 'insufficient funds',
        retryable: true,
        details: { n: 1 },
      },
    });
    assert.equal(answer.status, 500);
    assert.equal(answer.headers['x-error-origin'], 'function');
    assert.deepEqual(answer.json(), {
      error: {
        code: 'CARD_DECLINED',
        message: 'insufficient funds',
        origin: 'function',
        retryable: true,
        details: { n: 1 },
      },
    });
  });

  it('reports any other throw as UNHANDLED_ERROR with the message only, the stack in the log', async () => {
    const answer = await invoke(
      server.url,
      { input: { action: 'throw', message: 'database is down' } },
      {
        'X-Execution-Id': 'exec-throw',
      },
    );
    assert.equal(answer.status, 500);
    assert.deepEqual(answer.json(), {
      error: { code: 'UNHANDLED_ERROR', message: 'database is down', origin: 'function', retryable: false },
    });
    assert.doesNotMatch(answer.text, /at /);
    const logged = logs.find(
      (record) => record['executionId'] === 'exec-throw' && record['level'] === 'error',
    );
    assert.ok(logged, 'the error is logged with the execution id');
    assert.match(JSON.stringify(logged['err']), /behaviours\.mjs/);
    await assertStillServing();
  });

  it('logs through the context logger with executionId and traceId', async () => {
    await invoke(
      server.url,
      { input: { action: 'print' } },
      { 'X-Execution-Id': 'exec-log', 'X-Trace-Id': 'tr-log' },
    );
    const line = logs.find((record) => record['msg'] === 'logged by the function');
    assert.ok(line);
    assert.equal(line['executionId'], 'exec-log');
    assert.equal(line['traceId'], 'tr-log');
    assert.equal(line['step'], 1);
    assert.equal(line['level'], 'info');
    assert.equal(typeof line['ts'], 'string');
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    const missing = await httpRequest(`${server.url}/nope`);
    assert.equal(missing.status, 404);
    assert.equal((missing.json() as { error: { code: string } }).error.code, 'ROUTE_NOT_FOUND');
    const wrong = await httpRequest(`${server.url}/invoke`);
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers['allow'], 'POST');
    assert.equal((wrong.json() as { error: { code: string } }).error.code, 'METHOD_NOT_ALLOWED');
  });

  it('exports Prometheus metrics', async () => {
    const metrics = await httpRequest(`${server.url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers['content-type'] ?? '', /^text\/plain/);
    assert.match(metrics.text, /^nanofaas_runtime_invocations_total\{status="200"\} \d+$/m);
    assert.match(metrics.text, /^nanofaas_runtime_invocations_total\{status="408"\} \d+$/m);
    assert.match(metrics.text, /^nanofaas_runtime_invocation_duration_seconds_count \d+$/m);
    assert.match(metrics.text, /^nanofaas_runtime_in_flight 0$/m);
    assert.match(metrics.text, /^nanofaas_runtime_init_duration_seconds 0.042$/m);
  });
});

describe('HTTP runtime graceful stop', () => {
  it('finishes in-flight invocations, then refuses new connections', async () => {
    let started!: () => void;
    const handlerStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const server = await startServer(
      { port: 0, host: '127.0.0.1', maxBodyBytes: 1024, timeoutMs: 10_000, functionName: undefined },
      async () => {
        started();
        await new Promise((resolve) => setTimeout(resolve, 300));
        return { finished: true };
      },
      { logger: createLogger({ sink: () => {} }) },
    );
    const inFlight = invoke(server.url, { input: null });
    await handlerStarted;
    const closed = server.close();
    assert.equal(server.close(), closed, 'close() is idempotent');
    const answer = await inFlight;
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json(), { finished: true });
    assert.equal(answer.headers['connection'], 'close');
    await closed;
    await assert.rejects(httpRequest(`${server.url}/health`), /ECONNREFUSED/);
  });

  it('does not take a FunctionError thrown from another copy of the SDK for an unhandled error', async () => {
    // The fixture imports the built package; this test file uses the sources: two FunctionError classes.
    const server = await startServer(
      { port: 0, host: '127.0.0.1', maxBodyBytes: 1024, timeoutMs: 10_000, functionName: undefined },
      () => {
        throw new FunctionError('FROM_SOURCES', 'thrown by the source copy');
      },
      { logger: createLogger({ sink: () => {} }) },
    );
    try {
      const fromSources = await invoke(server.url, { input: 1 });
      assert.equal((fromSources.json() as { error: { code: string } }).error.code, 'FROM_SOURCES');
    } finally {
      await server.close();
    }
  });
});
