import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inject } from 'light-my-request';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/load-config.js';
import { ADMIN_KEY_FILE } from '../src/security/admin-key-file.js';
import { startTestApp, TEST_ENV, type TestApp } from './app-test-kit.js';
import { startControlPlaneProcess } from './fixtures/control-plane-process.js';
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

describe('secure by default: no NANOFAAS_API_KEYS', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'nanofaas-default-auth-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('generates an admin key on the first start, keeps it 0600 in a 0700 data dir, and needs it', async () => {
    const dataDir = join(root, 'data');
    const first = buildApp(loadConfig({ ...TEST_ENV, NANOFAAS_DATA_DIR: dataDir }), {
      backend: new InProcessBackend(),
    });
    await first.start({ listen: false });
    const keyFile = join(dataDir, ADMIN_KEY_FILE);
    assert.equal(first.adminKey?.path, keyFile);
    assert.equal(first.adminKey?.created, true);
    const key = readFileSync(keyFile, 'utf8').trim();
    assert.ok(key.length >= 32, 'a long random key');
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dataDir, 'nanofaas.db')).mode & 0o777, 0o600);

    const open = await inject(first.handler, { method: 'GET', url: '/v1/functions' });
    assert.equal(open.statusCode, 401, 'no key, no API');
    const keyed = await inject(first.handler, {
      method: 'GET',
      url: '/v1/functions',
      headers: { authorization: `Bearer ${key}` },
    });
    assert.equal(keyed.statusCode, 200);
    assert.equal((await inject(first.handler, { method: 'GET', url: '/healthz' })).statusCode, 200);
    await first.stop();

    const second = buildApp(loadConfig({ ...TEST_ENV, NANOFAAS_DATA_DIR: dataDir }), {
      backend: new InProcessBackend(),
    });
    assert.equal(second.adminKey?.key, key, 'the same key on every later start');
    assert.equal(second.adminKey?.created, false);
    await second.stop();
  });

  it('NANOFAAS_AUTH=off is the explicit opt-out: no key file, the API is open', async () => {
    const dataDir = join(root, 'open');
    const app = buildApp(loadConfig({ ...TEST_ENV, NANOFAAS_DATA_DIR: dataDir, NANOFAAS_AUTH: 'off' }), {
      backend: new InProcessBackend(),
    });
    await app.start({ listen: false });
    assert.equal(app.adminKey, undefined);
    assert.equal(existsSync(join(dataDir, ADMIN_KEY_FILE)), false);
    assert.equal((await inject(app.handler, { method: 'GET', url: '/v1/functions' })).statusCode, 200);
    await app.stop();
  });

  it('another local user (nobody) can neither read the key nor register or invoke without it', {
    skip: process.getuid?.() !== 0 ? 'needs root to run a process as nobody' : false,
  }, async () => {
    const dataDir = join(root, 'process');
    const controlPlane = await startControlPlaneProcess({
      NANOFAAS_AUTH: 'on',
      NANOFAAS_BACKEND: 'local',
      NANOFAAS_EXAMPLES: 'false',
      NANOFAAS_DATA_DIR: dataDir,
      NANOFAAS_FUNCTIONS_ROOT: root,
    });
    try {
      const asNobody = (script: string) =>
        spawnSync(
          'setpriv',
          ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script],
          { encoding: 'utf8', cwd: '/', timeout: 30_000 },
        );
      const keyRead = asNobody(
        `try { require('fs').readFileSync(${JSON.stringify(join(dataDir, ADMIN_KEY_FILE))}); console.log('read') } catch (e) { console.log(e.code) }`,
      );
      assert.equal(keyRead.stdout.trim(), 'EACCES');
      const attack = asNobody(`
          const base = ${JSON.stringify(controlPlane.url)};
          (async () => {
            const spec = { name: 'pwn', runtimeMode: 'STDIO', runtimeCommand: '/usr/bin/id' };
            const register = await fetch(base + '/v1/functions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
            const invoke = await fetch(base + '/v1/functions/pwn:invoke', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"input":1}' });
            console.log(JSON.stringify([register.status, invoke.status]));
          })();`);
      assert.deepEqual(JSON.parse(attack.stdout.trim()), [401, 401], attack.stderr);
    } finally {
      await controlPlane.kill('SIGTERM');
    }
  });
});
