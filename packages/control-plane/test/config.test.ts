import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config/load-config.js';

describe('loadConfig', () => {
  it('applies the documented defaults and freezes the result', () => {
    const config = loadConfig({ NANOFAAS_BACKEND: 'pool' });
    assert.equal(config.server.port, 8080);
    assert.equal(config.server.host, '127.0.0.1');
    assert.equal(config.server.maxBodyBytes, 6 * 1024 * 1024);
    assert.equal(config.server.callbackBaseUrl, undefined, 'derived from the listening address');
    assert.equal(config.store.dataDir, '.nanofaas');
    assert.equal(config.store.executionTtlMs, 24 * 60 * 60 * 1000);
    assert.equal(config.store.idempotencyTtlMs, 24 * 60 * 60 * 1000);
    assert.equal(
      config.security.auth,
      'generated',
      'no keys configured: a generated admin key, never an open API',
    );
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.server));
  });

  it('reads API keys with roles', () => {
    const config = loadConfig({
      NANOFAAS_API_KEYS: 'admin-key-0123456789:admin, invoke-key-0123456789:invoke',
    });
    assert.deepEqual(config.security.apiKeys, [
      { key: 'admin-key-0123456789', role: 'admin' },
      { key: 'invoke-key-0123456789', role: 'invoke' },
    ]);
  });

  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'eighty' }, /PORT: must be an integer/],
    [{ PORT: '70000' }, /PORT: must be between 0 and 65535/],
    [{ NANOFAAS_MAX_BODY_BYTES: '-1' }, /NANOFAAS_MAX_BODY_BYTES/],
    [{ NANOFAAS_BACKEND: 'docker' }, /NANOFAAS_BACKEND: must be one of/],
    [{ NANOFAAS_API_KEYS: 'short:admin' }, /NANOFAAS_API_KEYS: entry 1: keys must be at least 16/],
    [{ NANOFAAS_API_KEYS: 'a-long-enough-key-123:root' }, /NANOFAAS_API_KEYS: entry 1 must be/],
    [{ NANOFAAS_AUTH: 'maybe' }, /NANOFAAS_AUTH: must be one of on, off/],
    [
      { NANOFAAS_AUTH: 'off', NANOFAAS_API_KEYS: 'admin-key-0123456789:admin' },
      /NANOFAAS_AUTH: is "off" but/,
    ],
    [{ NANOFAAS_CALLBACK_BASE_URL: 'ftp://x' }, /NANOFAAS_CALLBACK_BASE_URL/],
    [{ NANOFAAS_RETRY_BASE_MS: '500', NANOFAAS_RETRY_MAX_MS: '100' }, /NANOFAAS_RETRY_MAX_MS/],
    [{ NANOFAAS_WEBHOOK_SECRET: 'short' }, /NANOFAAS_WEBHOOK_SECRET/],
    [{ NANOFAAS_LOG_LEVEL: 'loud' }, /NANOFAAS_LOG_LEVEL/],
    [{ NANOFAAS_DB_SYNCHRONOUS: 'off' }, /NANOFAAS_DB_SYNCHRONOUS/],
    [{ NANOFAAS_RATE_LIMIT_RPS: 'many' }, /NANOFAAS_RATE_LIMIT_RPS/],
  ];
  for (const [env, message] of bad) {
    it(`fails fast naming the variable: ${JSON.stringify(env)}`, () => {
      assert.throws(() => loadConfig({ NANOFAAS_BACKEND: 'pool', ...env }), message);
    });
  }
});
