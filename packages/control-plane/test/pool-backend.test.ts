import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { resolveFunctionSpec } from '@nanofaas/contracts';
import { PoolBackend } from '../src/backends/pool-backend.js';
import { describeBackendConformance } from './backend-conformance.js';
import { startEchoProcess } from './fixtures/echo-process.js';

describeBackendConformance(
  'pool',
  async () => {
    const echo = await startEchoProcess();
    return {
      createBackend: () => new PoolBackend(),
      async echoFunction(options) {
        const spec = resolveFunctionSpec({
          name: options.name,
          endpointUrl: echo.url,
          concurrency: options.concurrency,
          timeoutMs: options.timeoutMs,
          // The pool backend runs only POOL functions, whatever mode the suite exercises.
          executionMode: 'POOL',
          scaling: { minReplicas: 1, maxReplicas: options.maxReplicas },
        });
        return { spec, revision: 1 };
      },
      cleanup: () => echo.stop(),
    };
  },
  { runsInstances: false },
);

describe('POOL backend limits', () => {
  it('refuses an answer over maxOutputBytes with OUTPUT_TOO_LARGE', async () => {
    const echo = await startEchoProcess();
    const backend = new PoolBackend({ maxOutputBytes: 1024 });
    try {
      await backend.start({ load: { queuedCount: () => 0 } });
      const fn = { spec: resolveFunctionSpec({ name: 'big', endpointUrl: echo.url }), revision: 1 };
      await backend.ensureFunction(fn);
      const dispatch = (input: unknown) => ({
        executionId: randomUUID(),
        attempt: 1,
        traceId: '0'.repeat(31) + '1',
        requestBody: Buffer.from(JSON.stringify({ input })),
        timeoutMs: 10_000,
        signal: new AbortController().signal,
      });
      const small = await backend.invoke(fn, dispatch({ echo: 'x'.repeat(100) }));
      assert.equal(small.ok, true);
      const big = await backend.invoke(fn, dispatch({ echo: 'x'.repeat(5000) }));
      assert.equal(big.ok, false);
      assert.equal((big as { error: { code: string } }).error.code, 'OUTPUT_TOO_LARGE');
    } finally {
      await backend.stop();
      await echo.stop();
    }
  });
});
