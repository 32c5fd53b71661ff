import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from './app-test-kit.js';
import { InProcessBackend } from './fixtures/in-process-backend.js';

const ADMIN = 'admin-key-0123456789abcdef';
const INVOKER = 'invoke-key-0123456789abcdef';

describe('API keys', () => {
  let t: TestApp;
  const as = (key: string) => ({ authorization: `Bearer ${key}` });
  before(async () => {
    t = await startTestApp(
      { NANOFAAS_API_KEYS: `${ADMIN}:admin,${INVOKER}:invoke` },
      { backend: new InProcessBackend() },
    );
  });
  after(() => t.stop());

  it('refuses every /v1 route without a valid key (401, WWW-Authenticate)', async () => {
    for (const [method, url] of [
      ['GET', '/v1/functions'],
      ['POST', '/v1/functions/x:invoke'],
      ['GET', '/v1/executions'],
    ] as const) {
      const response = await t.request(method, url, method === 'POST' ? { input: 1 } : undefined);
      assert.equal(response.status, 401, `${method} ${url}`);
      assert.equal(response.json.error.code, 'UNAUTHORIZED');
      assert.equal(response.headers['www-authenticate'], 'Bearer');
    }
    const wrong = await t.request('GET', '/v1/executions', undefined, as('not-a-key-at-all-xxxxx'));
    assert.equal(wrong.status, 401);
  });

  it('lets admin manage functions and invoke; invoke keys only invoke and read executions (403)', async () => {
    const spec = { name: 'secured', endpointUrl: 'http://127.0.0.1:9/' };
    assert.equal((await t.request('POST', '/v1/functions', spec, as(INVOKER))).status, 403);
    assert.equal((await t.request('POST', '/v1/functions', spec, as(ADMIN))).status, 201);
    assert.equal((await t.request('DELETE', '/v1/functions/secured', undefined, as(INVOKER))).status, 403);
    const invoked = await t.request(
      'POST',
      '/v1/functions/secured:invoke',
      { input: { echo: 1 } },
      as(INVOKER),
    );
    assert.equal(invoked.status, 200);
    const record = await t.request(
      'GET',
      `/v1/executions/${invoked.json.executionId}`,
      undefined,
      as(INVOKER),
    );
    assert.equal(record.status, 200);
    assert.equal(
      (await t.request('POST', '/v1/functions/secured:invoke', { input: 1 }, as(ADMIN))).status,
      200,
    );
  });

  it('keeps health, readiness and metrics open', async () => {
    assert.equal((await t.request('GET', '/healthz')).status, 200);
    assert.equal((await t.request('GET', '/readyz')).status, 200);
    assert.equal((await t.request('GET', '/metrics')).status, 200);
  });
});
