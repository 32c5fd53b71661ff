import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Clock } from '../src/deps/clock.js';
import { startTestApp } from './app-test-kit.js';
import { InProcessBackend } from './fixtures/in-process-backend.js';

describe('retention', () => {
  it('keeps executions and idempotency keys for their TTL, then sweeps them', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock: Clock = {
      now: () => now,
      setTimer(callback, delayMs) {
        const timer = setTimeout(callback, Math.min(delayMs, 50));
        return () => clearTimeout(timer);
      },
    };
    const t = await startTestApp(
      {
        NANOFAAS_EXECUTION_TTL_MS: '60000',
        NANOFAAS_IDEMPOTENCY_TTL_MS: '60000',
        NANOFAAS_SWEEP_INTERVAL_MS: '1000',
      },
      { backend: new InProcessBackend(), clock },
    );
    try {
      await t.request('POST', '/v1/functions', { name: 'kept', endpointUrl: 'http://127.0.0.1:9/' });
      const first = await t.request(
        'POST',
        '/v1/functions/kept:invoke',
        { input: 1 },
        { 'idempotency-key': 'k' },
      );
      const id = first.json.executionId;
      now += 59_000;
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal((await t.request('GET', `/v1/executions/${id}`)).status, 200, 'still within its TTL');
      now += 2_000;
      await new Promise((resolve) => setTimeout(resolve, 300));
      const gone = await t.request('GET', `/v1/executions/${id}`);
      assert.equal(gone.status, 404, 'swept after its TTL');
      const again = await t.request(
        'POST',
        '/v1/functions/kept:invoke',
        { input: 1 },
        { 'idempotency-key': 'k' },
      );
      assert.notEqual(again.json.executionId, id, 'an expired key starts a new execution');
    } finally {
      await t.stop();
    }
  });
});
