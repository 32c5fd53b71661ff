import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fixture, logLines, runCli } from './support/spawn-runtime.js';

const handler = fixture('behaviours.mjs');
const stdio = (request: unknown, env: Record<string, string> = {}) =>
  runCli(['--stdio', handler], env, typeof request === 'string' ? request : JSON.stringify(request));

describe('STDIO mode (nanofaas-runtime --stdio)', () => {
  it('writes the output JSON to stdout and exits 0', async () => {
    const exited = await stdio({ input: { words: ['a', 'b'] } });
    assert.equal(exited.code, 0, exited.stderr);
    assert.equal(exited.stdout, '{"words":["a","b"]}');
  });

  it('passes every valid contract fixture through unchanged', async () => {
    const fixtures = JSON.parse(
      readFileSync(new URL('../../contracts/fixtures/invocation-request.json', import.meta.url), 'utf8'),
    ) as { valid: { input: unknown }[] };
    for (const request of fixtures.valid) {
      const exited = await stdio(request);
      assert.equal(exited.code, 0, exited.stderr);
      assert.deepEqual(JSON.parse(exited.stdout), request.input);
    }
  });

  it('writes a function error to stdout as {"error":{...}} and exits 1', async () => {
    const exited = await stdio({
      input: { action: 'fail', code: 'NO_SUCH_USER', message: 'user 7 not found' },
    });
    assert.equal(exited.code, 1);
    assert.deepEqual(JSON.parse(exited.stdout), {
      error: { code: 'NO_SUCH_USER', message: 'user 7 not found', origin: 'function', retryable: false },
    });
  });

  it('reports an unhandled throw as UNHANDLED_ERROR, its stack only on stderr', async () => {
    const exited = await stdio({ input: { action: 'throw', message: 'oops' } });
    assert.equal(exited.code, 1);
    assert.equal((JSON.parse(exited.stdout) as { error: { code: string } }).error.code, 'UNHANDLED_ERROR');
    assert.doesNotMatch(exited.stdout, /behaviours\.mjs/);
    assert.match(exited.stderr, /behaviours\.mjs/);
  });

  it("keeps stdout for the output: the function's console.log and logs go to stderr", async () => {
    const exited = await stdio({ input: { action: 'print' } });
    assert.equal(exited.code, 0);
    assert.equal(exited.stdout, '"printed"');
    assert.match(exited.stderr, /printed by the function/);
    assert.ok(logLines(exited.stderr).some((line) => line['msg'] === 'logged by the function'));
  });

  it('uses EXECUTION_ID, TRACE_ID and FUNCTION_NAME from the environment', async () => {
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
  });

  it('answers malformed or invalid stdin with a client error and exit 1', async () => {
    const malformed = await stdio('{"input":');
    assert.equal(malformed.code, 1);
    assert.equal((JSON.parse(malformed.stdout) as { error: { code: string } }).error.code, 'MALFORMED_JSON');
    const empty = await stdio('');
    assert.equal((JSON.parse(empty.stdout) as { error: { code: string } }).error.code, 'MALFORMED_JSON');
    const invalid = await stdio({ payload: 1 });
    assert.equal(invalid.code, 1);
    const { error } = JSON.parse(invalid.stdout) as { error: { code: string; issues: { field: string }[] } };
    assert.equal(error.code, 'VALIDATION_FAILED');
    assert.deepEqual(error.issues.map((issue) => issue.field).sort(), ['input', 'payload']);
  });

  it('refuses stdin over MAX_BODY_BYTES', async () => {
    const exited = await stdio({ input: 'x'.repeat(2048) }, { MAX_BODY_BYTES: '1024' });
    assert.equal(exited.code, 1);
    assert.equal((JSON.parse(exited.stdout) as { error: { code: string } }).error.code, 'PAYLOAD_TOO_LARGE');
  });

  it('gives up at TIMEOUT_MS with TIMEOUT and exits even though the handler never resolves', async () => {
    const exited = await stdio({ input: { action: 'hang' } }, { TIMEOUT_MS: '200' });
    assert.equal(exited.code, 1);
    assert.equal((JSON.parse(exited.stdout) as { error: { code: string } }).error.code, 'TIMEOUT');
  });

  it('writes null for undefined output and INVALID_OUTPUT for a circular one', async () => {
    const empty = await stdio({ input: { action: 'undefined' } });
    assert.equal(empty.code, 0);
    assert.equal(empty.stdout, 'null');
    const circular = await stdio({ input: { action: 'circular' } });
    assert.equal(circular.code, 1);
    assert.equal((JSON.parse(circular.stdout) as { error: { code: string } }).error.code, 'INVALID_OUTPUT');
  });
});
