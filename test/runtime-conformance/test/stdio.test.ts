import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { assertCatalogueError } from '../src/assert-error.js';
import { repositoryPath } from '../src/repository.js';
import { logLines, runToCompletion } from '../src/run-process.js';
import { caseOptions, selectRuntimes } from '../src/select-runtimes.js';

const fixtures = JSON.parse(
  readFileSync(repositoryPath('packages/contracts/fixtures/invocation-request.json'), 'utf8'),
) as { valid: { input: unknown }[] };

for (const { descriptor, skip } of await selectRuntimes()) {
  const at = (id: string) => caseOptions(descriptor, id);
  const stdio = (request: unknown, env: Record<string, string> = {}) =>
    runToCompletion(descriptor.stdio(), env, typeof request === 'string' ? request : JSON.stringify(request));

  describe(`${descriptor.name} runtime: STDIO`, { skip }, () => {
    it('writes the output to stdout and exits 0', at('stdio-output'), async () => {
      const exited = await stdio({ input: { words: ['a', 'b'] } });
      assert.equal(exited.code, 0, exited.stderr);
      assert.equal(exited.stdout, '{"words":["a","b"]}');
    });

    it('passes every valid contract fixture through unchanged', at('stdio-fixtures-valid'), async () => {
      for (const request of fixtures.valid) {
        const exited = await stdio(request);
        assert.equal(exited.code, 0, exited.stderr);
        assert.equal(exited.stdout, JSON.stringify(request.input));
      }
    });

    it('keeps numbers as they were sent', at('lossless-numbers'), async () => {
      const exited = await stdio('{"input":{"price":7.0,"count":12345678901234567890123}}');
      assert.equal(exited.code, 0, exited.stderr);
      assert.equal(exited.stdout.replace(/\s/g, ''), '{"price":7.0,"count":12345678901234567890123}');
    });

    it(
      'writes a FunctionError to stdout as {"error":{…}} and exits 1',
      at('stdio-function-error'),
      async () => {
        const exited = await stdio({
          input: { action: 'fail', code: 'NO_SUCH_USER', message: 'user 7 not found' },
        });
        assert.equal(exited.code, 1);
        assert.deepEqual(JSON.parse(exited.stdout), {
          error: { code: 'NO_SUCH_USER', message: 'user 7 not found', origin: 'function', retryable: false },
        });
      },
    );

    it(
      'reports another exception as UNHANDLED_ERROR, its stack only on stderr',
      at('stdio-unhandled-error'),
      async () => {
        const exited = await stdio({ input: { action: 'throw', message: 'oops' } });
        assert.equal(exited.code, 1);
        assertCatalogueError(exited.stdout, 'UNHANDLED_ERROR');
        assert.doesNotMatch(exited.stdout, /conformance/);
        assert.match(exited.stderr, /conformance/);
      },
    );

    it(
      "keeps stdout for the output: the function's prints and logs go to stderr",
      at('stdio-print'),
      async () => {
        const exited = await stdio({ input: { action: 'print' } });
        assert.equal(exited.code, 0, exited.stderr);
        assert.equal(exited.stdout, '"printed"');
        assert.match(exited.stderr, /printed by the function/);
        assert.ok(logLines(exited.stderr).some((line) => line['msg'] === 'logged by the function'));
      },
    );

    it(
      'uses EXECUTION_ID, TRACE_ID, FUNCTION_NAME and TIMEOUT_MS from the environment',
      at('stdio-env'),
      async () => {
        const exited = await stdio(
          { input: { action: 'describe' }, metadata: { a: 'b' } },
          { EXECUTION_ID: 'exec-stdio', TRACE_ID: 'trace-stdio', FUNCTION_NAME: 'fn', TIMEOUT_MS: '5000' },
        );
        assert.equal(exited.code, 0, exited.stderr);
        const seen = JSON.parse(exited.stdout) as Record<string, unknown>;
        assert.equal(seen['executionId'], 'exec-stdio');
        assert.equal(seen['traceId'], 'trace-stdio');
        assert.equal(seen['functionName'], 'fn');
        assert.deepEqual(seen['metadata'], { a: 'b' });
        assert.ok((seen['remainingMs'] as number) <= 5000);
      },
    );

    it(
      'answers malformed or invalid stdin with a client error and exit 1',
      at('stdio-bad-input'),
      async () => {
        const malformed = await stdio('{"input":');
        assert.equal(malformed.code, 1);
        assertCatalogueError(malformed.stdout, 'MALFORMED_JSON');
        const empty = await stdio('');
        assertCatalogueError(empty.stdout, 'MALFORMED_JSON');
        const invalid = await stdio({ payload: 1 });
        assert.equal(invalid.code, 1);
        const body = assertCatalogueError(invalid.stdout, 'VALIDATION_FAILED');
        assert.deepEqual(body.error.issues?.map((issue) => issue.field).sort(), ['input', 'payload']);
      },
    );

    it('refuses stdin over MAX_BODY_BYTES', at('stdio-body-limit'), async () => {
      const exited = await stdio({ input: 'x'.repeat(2048) }, { MAX_BODY_BYTES: '1024' });
      assert.equal(exited.code, 1);
      assertCatalogueError(exited.stdout, 'PAYLOAD_TOO_LARGE');
    });

    it('gives up at TIMEOUT_MS with TIMEOUT and exits', at('stdio-timeout'), async () => {
      const exited = await stdio({ input: { action: 'sleep', ms: 30_000 } }, { TIMEOUT_MS: '300' });
      assert.equal(exited.code, 1);
      assertCatalogueError(exited.stdout, 'TIMEOUT');
    });

    it(
      'writes null for no return value and INVALID_OUTPUT for what JSON cannot carry',
      at('stdio-output-kinds'),
      async () => {
        const empty = await stdio({ input: { action: 'none' } });
        assert.equal(empty.code, 0, empty.stderr);
        assert.equal(empty.stdout, 'null');
        const invalid = await stdio({ input: { action: 'unserialisable' } });
        assert.equal(invalid.code, 1);
        assertCatalogueError(invalid.stdout, 'INVALID_OUTPUT');
      },
    );
  });
}
