import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertCatalogueError } from '../src/assert-error.js';
import { startCallbackServer } from '../src/callback-server.js';
import { logLines, runToCompletion } from '../src/run-process.js';
import { caseOptions, selectRuntimes } from '../src/select-runtimes.js';

function oneShotEnv(callbackUrl: string, payload: unknown, extra: Record<string, string> = {}) {
  return {
    EXECUTION_ID: 'exec-123',
    CALLBACK_URL: callbackUrl,
    INVOCATION_PAYLOAD: typeof payload === 'string' ? payload : JSON.stringify(payload),
    ...extra,
  };
}

for (const { descriptor, skip } of await selectRuntimes()) {
  const at = (id: string) => caseOptions(descriptor, id);
  const oneShot = (env: Record<string, string>) => runToCompletion(descriptor.oneShot(), env);

  describe(`${descriptor.name} runtime: one-shot with a completion callback`, { skip }, () => {
    it(
      'runs once, posts {success:true, output} to {CALLBACK_URL}/{EXECUTION_ID}:complete, exits 0',
      at('one-shot-success'),
      async () => {
        const callback = await startCallbackServer([204]);
        try {
          const exited = await oneShot(
            oneShotEnv(
              callback.callbackUrl,
              { input: { text: 'hi' }, metadata: { a: 'b' } },
              { TRACE_ID: 'trace-1', CALLBACK_TOKEN: 's3cret' },
            ),
          );
          assert.equal(exited.code, 0, exited.stderr);
          assert.equal(callback.received.length, 1);
          const [received] = callback.received;
          assert.equal(received?.path, '/v1/internal/executions/exec-123:complete');
          assert.deepEqual(JSON.parse(received?.body ?? ''), { success: true, output: { text: 'hi' } });
          assert.match(String(received?.headers['content-type']), /^application\/json/);
          assert.equal(received?.headers['x-execution-id'], 'exec-123');
          assert.equal(received?.headers['x-trace-id'], 'trace-1');
          assert.equal(received?.headers['authorization'], 'Bearer s3cret');
        } finally {
          await callback.close();
        }
      },
    );

    it(
      'retries when the callback fails the first times (dropped connection, 503, 429)',
      at('one-shot-retry'),
      async () => {
        const callback = await startCallbackServer(['drop', 503, 429, 200]);
        try {
          const exited = await oneShot(oneShotEnv(callback.callbackUrl, { input: 'again' }));
          assert.equal(exited.code, 0, exited.stderr);
          assert.equal(callback.received.length, 4);
          for (const attempt of callback.received)
            assert.deepEqual(JSON.parse(attempt.body), { success: true, output: 'again' });
          assert.equal(
            callback.received[0]?.headers['authorization'],
            undefined,
            'no token, no Authorization',
          );
          assert.ok(logLines(exited.stderr).length >= 3, 'each failed attempt is logged');
        } finally {
          await callback.close();
        }
      },
    );

    it(
      'does not retry an answer that cannot change (400) and exits 1',
      at('one-shot-final-4xx'),
      async () => {
        const callback = await startCallbackServer([400, 200]);
        try {
          const exited = await oneShot(oneShotEnv(callback.callbackUrl, { input: 1 }));
          assert.equal(exited.code, 1);
          assert.equal(callback.received.length, 1);
        } finally {
          await callback.close();
        }
      },
    );

    it('counts 409 (the control plane already has a result) as delivered', at('one-shot-409'), async () => {
      const callback = await startCallbackServer([409]);
      try {
        const exited = await oneShot(oneShotEnv(callback.callbackUrl, { input: 1 }));
        assert.equal(exited.code, 0, exited.stderr);
        assert.equal(callback.received.length, 1);
      } finally {
        await callback.close();
      }
    });

    it(
      'reports a FunctionError as {success:false, error} and exits 1',
      at('one-shot-function-error'),
      async () => {
        const callback = await startCallbackServer([200]);
        try {
          const exited = await oneShot(
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
      },
    );

    it(
      'reports a malformed INVOCATION_PAYLOAD as MALFORMED_JSON through the callback',
      at('one-shot-malformed'),
      async () => {
        const callback = await startCallbackServer([200]);
        try {
          const exited = await oneShot(oneShotEnv(callback.callbackUrl, '{"input": nope}'));
          assert.equal(exited.code, 1);
          const body = JSON.parse(callback.received[0]?.body ?? '') as { success: boolean; error: unknown };
          assert.equal(body.success, false);
          const error = assertCatalogueError(JSON.stringify({ error: body.error }), 'MALFORMED_JSON');
          assert.match(error.error.message, /^INVOCATION_PAYLOAD: /);
        } finally {
          await callback.close();
        }
      },
    );

    it('times out at TIMEOUT_MS, reports TIMEOUT and exits', at('one-shot-timeout'), async () => {
      const callback = await startCallbackServer([200]);
      try {
        const exited = await oneShot(
          oneShotEnv(callback.callbackUrl, { input: { action: 'sleep', ms: 30_000 } }, { TIMEOUT_MS: '300' }),
        );
        assert.equal(exited.code, 1);
        const body = JSON.parse(callback.received[0]?.body ?? '') as { error: unknown };
        assertCatalogueError(JSON.stringify({ error: body.error }), 'TIMEOUT');
      } finally {
        await callback.close();
      }
    });

    it(
      'exits 1 naming the missing variables when only part of the one-shot environment is set',
      at('one-shot-partial-env'),
      async () => {
        const exited = await oneShot({ CALLBACK_URL: 'http://127.0.0.1:9/x' });
        assert.equal(exited.code, 1);
        assert.match(exited.stderr, /EXECUTION_ID/);
        assert.match(exited.stderr, /INVOCATION_PAYLOAD/);
      },
    );
  });
}
