import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../src/logger.js';
import { runOneShot } from '../src/run-one-shot.js';
import behaviours from './fixtures/behaviours.mjs';
import { startCallbackServer } from './support/callback-server.js';
import { fixture, logLines, runCli } from './support/spawn-runtime.js';

const handler = fixture('behaviours.mjs');

function oneShotEnv(callbackUrl: string, payload: unknown, extra: Record<string, string> = {}) {
  return {
    EXECUTION_ID: 'exec-123',
    CALLBACK_URL: callbackUrl,
    INVOCATION_PAYLOAD: typeof payload === 'string' ? payload : JSON.stringify(payload),
    ...extra,
  };
}

describe('one-shot mode (spawned, real callback server)', () => {
  it('runs once, posts {success:true, output} to {CALLBACK_URL}/{EXECUTION_ID}:complete and exits 0', async () => {
    const callback = await startCallbackServer([204]);
    try {
      const exited = await runCli(
        [handler],
        oneShotEnv(
          callback.callbackUrl,
          { input: { text: 'hi' }, metadata: { a: 'b' } },
          {
            TRACE_ID: 'trace-1',
            CALLBACK_TOKEN: 's3cret',
          },
        ),
      );
      assert.equal(exited.code, 0, exited.stderr);
      assert.equal(callback.received.length, 1);
      const [received] = callback.received;
      assert.equal(received?.path, '/v1/internal/executions/exec-123:complete');
      assert.deepEqual(JSON.parse(received?.body ?? ''), { success: true, output: { text: 'hi' } });
      assert.equal(received?.headers['content-type'], 'application/json');
      assert.equal(received?.headers['x-execution-id'], 'exec-123');
      assert.equal(received?.headers['x-trace-id'], 'trace-1');
      assert.equal(received?.headers['authorization'], 'Bearer s3cret');
    } finally {
      await callback.close();
    }
  });

  it('retries with backoff when the callback fails the first times (dropped connection, 503, 429)', async () => {
    const callback = await startCallbackServer(['drop', 503, 429, 200]);
    try {
      const exited = await runCli([handler], oneShotEnv(callback.callbackUrl, { input: 'again' }));
      assert.equal(exited.code, 0, exited.stderr);
      assert.equal(callback.received.length, 4);
      for (const attempt of callback.received) {
        assert.deepEqual(JSON.parse(attempt.body), { success: true, output: 'again' });
      }
      const retries = logLines(exited.stderr).filter(
        (line) => line['msg'] === 'completion callback failed; retrying',
      );
      assert.equal(retries.length, 3);
      assert.equal(callback.received[0]?.headers['authorization'], undefined, 'no token, no Authorization');
    } finally {
      await callback.close();
    }
  });

  it('reports a function error as {success:false, error} and exits 1', async () => {
    const callback = await startCallbackServer([200]);
    try {
      const exited = await runCli(
        [handler],
        oneShotEnv(callback.callbackUrl, {
          input: { action: 'fail', code: 'OUT_OF_STOCK', message: 'none left' },
        }),
      );
      assert.equal(exited.code, 1);
      assert.deepEqual(JSON.parse(callback.received[0]?.body ?? ''), {
        success: false,
        error: { code: 'OUT_OF_STOCK', message: 'none left', origin: 'function', retryable: false },
      });
    } finally {
      await callback.close();
    }
  });

  it('reports a malformed INVOCATION_PAYLOAD as MALFORMED_JSON through the callback', async () => {
    const callback = await startCallbackServer([200]);
    try {
      const exited = await runCli([handler], oneShotEnv(callback.callbackUrl, '{"input": nope}'));
      assert.equal(exited.code, 1);
      const body = JSON.parse(callback.received[0]?.body ?? '') as {
        success: boolean;
        error: Record<string, unknown>;
      };
      assert.equal(body.success, false);
      assert.equal(body.error['code'], 'MALFORMED_JSON');
      assert.equal(body.error['origin'], 'client');
      assert.match(String(body.error['message']), /^INVOCATION_PAYLOAD: /);
    } finally {
      await callback.close();
    }
  });

  it('times out at TIMEOUT_MS, reports TIMEOUT and exits', async () => {
    const callback = await startCallbackServer([200]);
    try {
      const exited = await runCli(
        [handler],
        oneShotEnv(callback.callbackUrl, { input: { action: 'hang' } }, { TIMEOUT_MS: '200' }),
      );
      assert.equal(exited.code, 1);
      const body = JSON.parse(callback.received[0]?.body ?? '') as {
        error: { code: string; retryable: boolean };
      };
      assert.equal(body.error.code, 'TIMEOUT');
      assert.equal(body.error.retryable, true);
    } finally {
      await callback.close();
    }
  });

  it('exits 1 naming the missing variables when only part of the one-shot env is set', async () => {
    const exited = await runCli([handler], { CALLBACK_URL: 'http://127.0.0.1:9/x' });
    assert.equal(exited.code, 1);
    assert.match(exited.stderr, /EXECUTION_ID, INVOCATION_PAYLOAD: must be set for a one-shot run/);
  });
});

describe('one-shot delivery limits (in process, short backoff)', () => {
  const logger = createLogger({ sink: () => {} });
  const config = (callbackUrl: string) => ({
    timeoutMs: 5_000,
    functionName: undefined,
    traceId: 'trace-x',
    executionId: 'exec-x',
    oneShot: { callbackUrl, payload: '{"input":1}', callbackToken: undefined },
  });

  it('gives up after the last attempt when the callback keeps failing, and exits 1', async () => {
    const callback = await startCallbackServer([503]);
    try {
      const code = await runOneShot(behaviours, config(callback.callbackUrl), logger, {
        maxAttempts: 5,
        baseDelayMs: 5,
      });
      assert.equal(code, 1);
      assert.equal(callback.received.length, 5);
    } finally {
      await callback.close();
    }
  });

  it('does not retry an answer that cannot change (400)', async () => {
    const callback = await startCallbackServer([400, 200]);
    try {
      const code = await runOneShot(behaviours, config(callback.callbackUrl), logger, { baseDelayMs: 5 });
      assert.equal(code, 1);
      assert.equal(callback.received.length, 1);
    } finally {
      await callback.close();
    }
  });

  it('treats 409 (the control plane already has a result) as delivered', async () => {
    const callback = await startCallbackServer([409]);
    try {
      const code = await runOneShot(behaviours, config(callback.callbackUrl), logger, { baseDelayMs: 5 });
      assert.equal(code, 0);
      assert.equal(callback.received.length, 1);
    } finally {
      await callback.close();
    }
  });
});
