import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { assertCatalogueError } from '../src/assert-error.js';
import { type HttpAnswer, httpRequest, invoke, invokeRaw } from '../src/http-client.js';
import { repositoryPath } from '../src/repository.js';
import { logLines } from '../src/run-process.js';
import { caseOptions, selectRuntimes } from '../src/select-runtimes.js';
import { type ServedRuntime, serveRuntime } from '../src/served-runtime.js';

const MAX_BODY_BYTES = 64 * 1024;

interface Fixture {
  valid: { input: unknown; metadata?: Record<string, string> }[];
  invalid: { value: unknown; field: string; rule: string }[];
}
const fixtures = JSON.parse(
  readFileSync(repositoryPath('packages/contracts/fixtures/invocation-request.json'), 'utf8'),
) as Fixture;

/** Waits until the runtime's metrics count an invocation in flight. */
async function waitForInFlight(url: string): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const metrics = await httpRequest(`${url}/metrics`);
    if (/^nanofaas_runtime_in_flight [1-9]/m.test(metrics.text)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the invocation never showed up as in flight');
}

for (const { descriptor, skip } of await selectRuntimes()) {
  const at = (id: string) => caseOptions(descriptor, id);

  describe(`${descriptor.name} runtime: warm HTTP`, { skip }, () => {
    let runtime: ServedRuntime;
    before(async () => {
      runtime = await serveRuntime(
        descriptor.http(),
        {
          MAX_BODY_BYTES: String(MAX_BODY_BYTES),
          TIMEOUT_MS: '30000',
          FUNCTION_NAME: 'conformance',
        },
        descriptor.readyTimeoutMs,
      );
    });
    after(() => runtime?.stop());

    async function assertStillServing() {
      const echo = await invoke(runtime.url, { input: 'still here' });
      assert.equal(echo.status, 200, echo.text);
      assert.equal(echo.text, '"still here"');
    }

    it('marks the first invocation of a fresh runtime as a cold start', at('cold-start'), async () => {
      const first = await invoke(runtime.url, { input: 1 });
      assert.equal(first.status, 200, first.text);
      assert.equal(first.headers['x-cold-start'], 'true');
      assert.match(String(first.headers['x-init-duration-ms']), /^\d+$/);
    });

    it('answers GET /health with 200 {"status":"ok"}', at('health'), async () => {
      const health = await httpRequest(`${runtime.url}/health`);
      assert.equal(health.status, 200);
      assert.deepEqual(health.json(), { status: 'ok' });
    });

    it('passes every valid contract fixture through unchanged', at('fixtures-valid'), async () => {
      for (const request of fixtures.valid) {
        const answer = await invoke(runtime.url, request);
        assert.equal(answer.status, 200, answer.text);
        assert.equal(answer.headers['content-type'], 'application/json');
        assert.equal(answer.text, JSON.stringify(request.input));
      }
    });

    it(
      'keeps numbers as they were sent: 7.0, -0.0 and a 23-digit integer',
      at('lossless-numbers'),
      async () => {
        const input =
          '{"price":7.0,"count":12345678901234567890123,"zero":-0.0,"half":0.5,"list":[1,2.50e0]}';
        const answer = await invokeRaw(runtime.url, `{"input":${input}}`);
        assert.equal(answer.status, 200, answer.text);
        // 7.0, -0.0 and the big integer must keep their text; 2.50e0 may come back as written or as
        // the shortest spelling of the same double (2.5), as a runtime with float numbers writes it.
        const expected = [
          input,
          '{"price":7.0,"count":12345678901234567890123,"zero":-0.0,"half":0.5,"list":[1,2.5]}',
        ];
        assert.ok(expected.includes(answer.text.replace(/\s/g, '')), answer.text);
      },
    );

    it(
      'rejects every invalid contract fixture with 400 VALIDATION_FAILED naming the field',
      at('fixtures-invalid'),
      async () => {
        for (const { value, field, rule } of fixtures.invalid) {
          const answer = await invoke(runtime.url, value);
          const body = assertCatalogueError(answer.text, 'VALIDATION_FAILED', answer.status);
          assert.ok(
            body.error.issues?.some((issue) => issue.field === field && issue.rule === rule),
            `${JSON.stringify(value)} → ${answer.text}`,
          );
          assert.equal(answer.headers['x-error-origin'], 'client');
        }
        await assertStillServing();
      },
    );

    it('gives the handler ids, metadata, attempt, deadline and function name', at('describe'), async () => {
      const answer = await invoke(
        runtime.url,
        { input: { action: 'describe' }, metadata: { tenant: 'acme' } },
        {
          'X-Execution-Id': 'exec-42',
          'X-Trace-Id': 'trace-7',
          'X-Dispatch-Attempt': '2',
          'X-Timeout-Ms': '5000',
        },
      );
      assert.equal(answer.status, 200, answer.text);
      const seen = answer.json() as Record<string, unknown>;
      assert.deepEqual(seen['metadata'], { tenant: 'acme' });
      assert.equal(seen['executionId'], 'exec-42');
      assert.equal(seen['traceId'], 'trace-7');
      assert.equal(seen['attempt'], 2);
      assert.equal(seen['contentType'], 'application/json');
      assert.equal(seen['deadlineInFuture'], true);
      const remainingMs = seen['remainingMs'] as number;
      assert.ok(remainingMs <= 5000 && remainingMs > 0, `remainingMs ${remainingMs}`);
      assert.equal(seen['functionName'], 'conformance');
      assert.equal(answer.headers['x-execution-id'], 'exec-42');
      assert.equal(answer.headers['x-trace-id'], 'trace-7');
    });

    it('takes the trace id from traceparent, else generates ids', at('trace-ids'), async () => {
      const traced = await invoke(
        runtime.url,
        { input: { action: 'describe' } },
        { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      );
      assert.equal((traced.json() as { traceId: string }).traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
      const bare = await invoke(runtime.url, { input: { action: 'describe' } });
      const seen = bare.json() as { traceId: string; executionId: string; metadata: object; attempt: number };
      assert.match(seen.traceId, /^[0-9a-f]{32}$/);
      assert.ok(seen.executionId.length > 0);
      assert.equal(bare.headers['x-execution-id'], seen.executionId);
      assert.deepEqual(seen.metadata, {});
      assert.equal(seen.attempt, 1);
    });

    it('answers malformed JSON with 400 MALFORMED_JSON and keeps serving', at('malformed-json'), async () => {
      for (const body of ['{"input": ', 'not json', '', '{"input": NaN}']) {
        const answer = await invokeRaw(runtime.url, body);
        assertCatalogueError(answer.text, 'MALFORMED_JSON', answer.status);
        assert.equal(answer.headers['x-error-origin'], 'client');
      }
      await assertStillServing();
    });

    it(
      'hands a body that is not JSON to the handler as bytes with its content type',
      at('raw-input'),
      async () => {
        const answer = await httpRequest(`${runtime.url}/invoke`, {
          method: 'POST',
          headers: { 'content-type': 'text/csv; charset=utf-8' },
          body: 'a,b\n1,2\n',
        });
        assert.equal(answer.status, 200, answer.text);
        assert.deepEqual(answer.json(), {
          contentType: 'text/csv; charset=utf-8',
          text: 'a,b\n1,2\n',
          bytes: 8,
        });
      },
    );

    it('refuses JSON in a charset other than UTF-8 with 415', at('charset'), async () => {
      const answer = await httpRequest(`${runtime.url}/invoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=iso-8859-1' },
        body: '{"input":"x"}',
      });
      assertCatalogueError(answer.text, 'UNSUPPORTED_MEDIA_TYPE', answer.status);
      await assertStillServing();
    });

    it('refuses a body over MAX_BODY_BYTES with 413, declared or chunked', at('body-limit'), async () => {
      const declared = await invoke(runtime.url, { input: 'x'.repeat(MAX_BODY_BYTES) });
      assertCatalogueError(declared.text, 'PAYLOAD_TOO_LARGE', declared.status);
      const chunked = await httpRequest(`${runtime.url}/invoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        chunks: Array.from({ length: 8 }, () => Buffer.alloc(16 * 1024, 'a')),
      });
      assertCatalogueError(chunked.text, 'PAYLOAD_TOO_LARGE', chunked.status);
      const atLimit = await invoke(runtime.url, { input: 'y'.repeat(MAX_BODY_BYTES - 20) });
      assert.equal(atLimit.status, 200);
      await assertStillServing();
    });

    it('answers a handler still running at its deadline with 408 TIMEOUT', at('timeout'), async () => {
      const answer = await invoke(
        runtime.url,
        { input: { action: 'sleep', ms: 5_000 } },
        { 'X-Timeout-Ms': '200' },
      );
      assertCatalogueError(answer.text, 'TIMEOUT', answer.status);
      assert.equal(answer.headers['x-error-origin'], 'function');
      await assertStillServing();
    });

    it(
      'refuses a malformed X-Timeout-Ms or X-Dispatch-Attempt with 400 naming the header',
      at('headers'),
      async () => {
        const answer = await invoke(
          runtime.url,
          { input: 1 },
          { 'X-Timeout-Ms': 'soon', 'X-Dispatch-Attempt': '0' },
        );
        const body = assertCatalogueError(answer.text, 'VALIDATION_FAILED', answer.status);
        assert.deepEqual(
          body.error.issues?.map((issue) => issue.field),
          ['X-Timeout-Ms', 'X-Dispatch-Attempt'],
        );
      },
    );

    it('answers no return value with null', at('null-output'), async () => {
      const answer = await invoke(runtime.url, { input: { action: 'none' } });
      assert.equal(answer.status, 200);
      assert.equal(answer.text, 'null');
    });

    it(
      'answers output JSON cannot carry with 500 INVALID_OUTPUT and keeps serving',
      at('invalid-output'),
      async () => {
        const answer = await invoke(runtime.url, { input: { action: 'unserialisable' } });
        assertCatalogueError(answer.text, 'INVALID_OUTPUT', answer.status);
        await assertStillServing();
      },
    );

    it('sends binary output as application/octet-stream bytes', at('binary-output'), async () => {
      const answer = await invoke(runtime.url, { input: { action: 'binary', text: 'bytes ✓' } });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['content-type'], 'application/octet-stream');
      assert.equal(answer.body.toString('utf8'), 'bytes ✓');
    });

    it(
      "reports a FunctionError with the function's code, status 500, origin function",
      at('function-error'),
      async () => {
        const answer = await invoke(runtime.url, {
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
        const plain = await invoke(runtime.url, {
          input: { action: 'fail', code: 'NO_USER', message: 'no user 7' },
        });
        assert.deepEqual(plain.json(), {
          error: { code: 'NO_USER', message: 'no user 7', origin: 'function', retryable: false },
        });
      },
    );

    it(
      'reports any other exception as UNHANDLED_ERROR, its stack only in the log',
      at('unhandled-error'),
      async () => {
        const answer = await invoke(
          runtime.url,
          { input: { action: 'throw', message: 'database is down' } },
          { 'X-Execution-Id': 'exec-throw' },
        );
        const body = assertCatalogueError(answer.text, 'UNHANDLED_ERROR', answer.status);
        assert.equal(body.error.message, 'database is down');
        assert.doesNotMatch(answer.text, /conformance/);
        await assertStillServing();
        const logged = logLines(runtime.stderr()).find(
          (line) => line['executionId'] === 'exec-throw' && line['level'] === 'error',
        );
        assert.ok(logged, `an error line with the execution id in: ${runtime.stderr()}`);
        assert.match(JSON.stringify(logged), /conformance/, 'the log names the handler file in the stack');
      },
    );

    it(
      'logs through the context logger as JSON lines with executionId and traceId',
      at('context-logger'),
      async () => {
        const answer = await invoke(
          runtime.url,
          { input: { action: 'print' } },
          { 'X-Execution-Id': 'exec-log', 'X-Trace-Id': 'tr-log' },
        );
        assert.equal(answer.text, '"printed"');
        await assertStillServing();
        const line = logLines(runtime.stderr()).find((record) => record['msg'] === 'logged by the function');
        assert.ok(line, runtime.stderr());
        assert.equal(line['executionId'], 'exec-log');
        assert.equal(line['traceId'], 'tr-log');
        assert.equal(line['step'], 1);
        assert.equal(line['level'], 'info');
      },
    );

    it('answers an unknown route with 404 and a wrong method with 405 and Allow', at('routes'), async () => {
      const missing = await httpRequest(`${runtime.url}/nope`);
      assertCatalogueError(missing.text, 'ROUTE_NOT_FOUND', missing.status);
      const wrong = await httpRequest(`${runtime.url}/invoke`);
      assertCatalogueError(wrong.text, 'METHOD_NOT_ALLOWED', wrong.status);
      assert.equal(wrong.headers['allow'], 'POST');
    });

    it('exports the runtime metrics in the Prometheus text format', at('metrics'), async () => {
      await invoke(runtime.url, { input: 'counted' });
      const metrics = await httpRequest(`${runtime.url}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(metrics.headers['content-type'] ?? '', /^text\/plain/);
      const number = '[0-9.e+-]+';
      assert.match(
        metrics.text,
        new RegExp(`^nanofaas_runtime_invocations_total\\{status="200"\\} ${number}$`, 'm'),
      );
      assert.match(
        metrics.text,
        new RegExp(`^nanofaas_runtime_invocations_total\\{status="408"\\} ${number}$`, 'm'),
      );
      assert.match(
        metrics.text,
        new RegExp(`^nanofaas_runtime_invocation_duration_seconds_count ${number}$`, 'm'),
      );
      assert.match(metrics.text, new RegExp(`^nanofaas_runtime_in_flight ${number}$`, 'm'));
      assert.match(metrics.text, new RegExp(`^nanofaas_runtime_init_duration_seconds ${number}$`, 'm'));
    });

    it('drains on SIGTERM: finishes the invocation in flight, then exits 0', at('drain'), async () => {
      const inFlight = invoke(runtime.url, { input: { action: 'sleep', ms: 1_000 } });
      await waitForInFlight(runtime.url);
      const exited = runtime.stop();
      const answer: HttpAnswer = await inFlight;
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.json(), { slept: 1_000 });
      const result = await exited;
      assert.equal(result.code, 0, result.stderr);
    });
  });
}
