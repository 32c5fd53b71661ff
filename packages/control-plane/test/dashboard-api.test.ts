import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { inject } from 'light-my-request';
import { DashboardFiles } from '../src/dashboard/dashboard-files.js';
import { startTestApp, type TestApp } from './app-test-kit.js';
import { InProcessBackend } from './fixtures/in-process-backend.js';

const ADMIN = 'admin-key-0123456789abcdef';
const INVOKER = 'invoke-key-0123456789abcdef';
const as = (key: string) => ({ authorization: `Bearer ${key}` });

describe('the API the dashboard reads: whoami, stats, functions for the invoke role, execution paging', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(
      { NANOFAAS_API_KEYS: `${ADMIN}:admin,${INVOKER}:invoke`, NANOFAAS_DASHBOARD_DIR: 'off' },
      { backend: new InProcessBackend() },
    );
    const spec = { name: 'echo', endpointUrl: 'http://127.0.0.1:9/', env: { SECRET: 'hunter2' } };
    assert.equal((await t.request('POST', '/v1/functions', spec, as(ADMIN))).status, 201);
    for (let index = 0; index < 3; index++) {
      const ok = await t.request('POST', '/v1/functions/echo:invoke', { input: { n: index } }, as(INVOKER));
      assert.equal(ok.status, 200);
    }
    const failed = await t.request(
      'POST',
      '/v1/functions/echo:invoke',
      { input: { fail: { code: 'BAD_THING', message: 'no' } } },
      as(INVOKER),
    );
    assert.equal(failed.status, 500);
  });
  after(() => t.stop());

  it('tells each key its role', async () => {
    assert.deepEqual((await t.request('GET', '/v1/whoami', undefined, as(ADMIN))).json, {
      role: 'admin',
      auth: 'on',
    });
    assert.deepEqual((await t.request('GET', '/v1/whoami', undefined, as(INVOKER))).json, {
      role: 'invoke',
      auth: 'on',
    });
    assert.equal((await t.request('GET', '/v1/whoami')).status, 401);
  });

  it('lets the invoke role read functions without their env, and not change them', async () => {
    const asInvoker = await t.request('GET', '/v1/functions', undefined, as(INVOKER));
    assert.equal(asInvoker.status, 200);
    assert.equal(asInvoker.json.items[0].name, 'echo');
    assert.equal(asInvoker.json.items[0].env, undefined);
    assert.doesNotMatch(asInvoker.body, /hunter2/);
    const one = await t.request('GET', '/v1/functions/echo', undefined, as(INVOKER));
    assert.equal(one.json.env, undefined);
    assert.equal(
      (await t.request('GET', '/v1/functions/echo', undefined, as(ADMIN))).json.env.SECRET,
      'hunter2',
    );
    assert.equal(
      (await t.request('PUT', '/v1/functions/echo/replicas', { replicas: 0 }, as(INVOKER))).status,
      403,
    );
  });

  it('counts the window’s executions: error rate, percentiles and a series that adds up', async () => {
    const response = await t.request('GET', '/v1/functions/echo/stats?window=5m', undefined, as(INVOKER));
    assert.equal(response.status, 200);
    const stats = response.json;
    assert.equal(stats.functionName, 'echo');
    assert.equal(stats.total, 4);
    assert.deepEqual(stats.counts, { success: 3, error: 1, timeout: 0, queued: 0, running: 0 });
    assert.equal(stats.errorRate, 0.25);
    assert.equal(typeof stats.latencyMs.p50, 'number');
    assert.ok(stats.latencyMs.p95 >= stats.latencyMs.p50);
    assert.equal(stats.series.length, 30);
    const summed = stats.series.reduce(
      (sum: number, bucket: { counts: { success: number } }) => sum + bucket.counts.success,
      0,
    );
    assert.equal(summed, 3);
    assert.equal(stats.bucketMs, 10_000);

    const all = (await t.request('GET', '/v1/stats', undefined, as(INVOKER))).json;
    assert.equal(all.total, 4);
    assert.deepEqual(
      all.functions.map((summary: { functionName: string; errorRate: number }) => [
        summary.functionName,
        summary.errorRate,
      ]),
      [['echo', 0.25]],
    );
  });

  it('refuses a bad window with a 400 naming it, and an unknown function with 404', async () => {
    for (const window of ['5', '0m', '2d', '5m;drop', '61m', '1s']) {
      const response = await t.request(
        'GET',
        `/v1/stats?window=${encodeURIComponent(window)}`,
        undefined,
        as(ADMIN),
      );
      assert.equal(response.status, 400, window);
      assert.equal(response.json.error.issues[0].field, 'query window');
    }
    assert.equal((await t.request('GET', '/v1/functions/nope/stats', undefined, as(ADMIN))).status, 404);
  });

  it('pages through executions with `next`, and filters by time range', async () => {
    const first = await t.request('GET', '/v1/executions?function=echo&limit=3', undefined, as(INVOKER));
    assert.equal(first.json.items.length, 3);
    assert.equal(typeof first.json.next, 'string');
    const second = await t.request(
      'GET',
      `/v1/executions?function=echo&limit=3&after=${encodeURIComponent(first.json.next)}`,
      undefined,
      as(INVOKER),
    );
    assert.equal(second.json.items.length, 1);
    assert.equal(second.json.next, undefined);
    const ids = [...first.json.items, ...second.json.items].map(
      (item: { executionId: string }) => item.executionId,
    );
    assert.equal(new Set(ids).size, 4);
    assert.equal(
      (await t.request('GET', '/v1/executions?since=1h', undefined, as(INVOKER))).json.items.length,
      4,
    );
    assert.equal(
      (await t.request('GET', '/v1/executions?until=1h', undefined, as(INVOKER))).json.items.length,
      0,
    );
    for (const [query, field] of [
      ['since=yesterday', 'query since'],
      ['until=5x', 'query until'],
      ['after=garbage', 'query after'],
    ]) {
      const bad = await t.request('GET', `/v1/executions?${query}`, undefined, as(INVOKER));
      assert.equal(bad.status, 400, query);
      assert.equal(bad.json.error.issues[0].field, field);
    }
  });

  it("shows an execution's input as the caller's bytes, in the detail only, to the admin role only", async () => {
    const body = '{"input":{"n":7.0,"big":12345678901234567890,"text":"caf\\u00e9"},"metadata":{"k":"v"}}';
    const invoked = await t.request('POST', '/v1/functions/echo:invoke', body, as(INVOKER));
    assert.equal(invoked.status, 200);
    const detailAs = (key: string) =>
      t.request('GET', `/v1/executions/${invoked.json.executionId}`, undefined, as(key));
    const detail = await detailAs(ADMIN);
    assert.match(detail.body, /"input":\{"n":7\.0,"big":12345678901234567890,"text":"caf\\u00e9"\}/);
    // Another invoke-role caller could read it otherwise: the input is as private as the log lines.
    const asInvoker = await detailAs(INVOKER);
    assert.equal(asInvoker.status, 200);
    assert.equal(asInvoker.json.executionId, invoked.json.executionId);
    assert.equal(asInvoker.json.input, undefined);
    const list = await t.request('GET', '/v1/executions?function=echo&limit=1', undefined, as(INVOKER));
    assert.equal(list.json.items[0].executionId, invoked.json.executionId);
    assert.equal(list.json.items[0].input, undefined);
  });

  it('keeps a sync input above NANOFAAS_SYNC_INPUT_MAX_BYTES (64 KiB) off the disk, an async one always', async () => {
    const big = JSON.stringify({ input: { text: 'x'.repeat(70 * 1024) } });
    const sync = await t.request('POST', '/v1/functions/echo:invoke', big, as(INVOKER));
    assert.equal(sync.status, 200);
    const syncDetail = await t.request(
      'GET',
      `/v1/executions/${sync.json.executionId}`,
      undefined,
      as(ADMIN),
    );
    assert.equal(syncDetail.status, 200);
    assert.equal(syncDetail.json.input, undefined);
    const queued = await t.request('POST', '/v1/functions/echo:enqueue', big, as(INVOKER));
    assert.equal(queued.status, 202);
    const asyncDetail = await t.request(
      'GET',
      `/v1/executions/${queued.json.executionId}`,
      undefined,
      as(ADMIN),
    );
    assert.equal(asyncDetail.json.input.text.length, 70 * 1024);
  });

  it('serves no /ui when the dashboard is off', async () => {
    assert.equal((await t.request('GET', '/ui/')).status, 404);
  });
});

describe('the dashboard files at /ui', () => {
  let dir: string;
  let t: TestApp;
  const js = 'console.log("dashboard");'.repeat(100);
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nanofaas-dashboard-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><script type="module" src="/ui/assets/app-abc123.js"></script>',
    );
    writeFileSync(join(dir, 'assets', 'app-abc123.js'), js);
    writeFileSync(join(dir, 'assets', 'style-def456.css'), 'body{margin:0}');
    writeFileSync(join(dir, 'secret.txt'), 'not for the web');
    t = await startTestApp(
      { NANOFAAS_API_KEYS: `${ADMIN}:admin`, NANOFAAS_DASHBOARD_DIR: dir },
      { backend: new InProcessBackend() },
    );
  });
  after(async () => {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers index.html without a key, revalidated every time, under a strict CSP', async () => {
    const redirect = await t.request('GET', '/ui');
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers.location, '/ui/');
    const index = await t.request('GET', '/ui/');
    assert.equal(index.status, 200);
    assert.match(String(index.headers['content-type']), /^text\/html/);
    assert.equal(index.headers['cache-control'], 'no-cache');
    const csp = String(index.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(index.headers['x-content-type-options'], 'nosniff');
    const again = await t.request('GET', '/ui/', undefined, { 'if-none-match': String(index.headers.etag) });
    assert.equal(again.status, 304);
  });

  it('serves hashed assets with their type, cached for a year, gzipped when asked', async () => {
    const asset = await t.request('GET', '/ui/assets/app-abc123.js');
    assert.equal(asset.status, 200);
    assert.equal(asset.body, js);
    assert.match(String(asset.headers['content-type']), /^text\/javascript/);
    assert.match(String(asset.headers['cache-control']), /immutable/);
    const css = await t.request('GET', '/ui/assets/style-def456.css');
    assert.match(String(css.headers['content-type']), /^text\/css/);
    const zipped = await inject(t.app.handler, {
      method: 'GET',
      url: '/ui/assets/app-abc123.js',
      headers: { 'accept-encoding': 'gzip' },
      payloadAsStream: false,
    });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(zipped.rawPayload).toString(), js);
  });

  it('reaches no other file: traversal, encoded slashes, dot files and unknown names are 404', async () => {
    for (const path of [
      '/ui/assets/../secret.txt',
      '/ui/assets/..%2Fsecret.txt',
      '/ui/assets/%2e%2e%2fsecret.txt',
      '/ui/secret.txt',
      '/ui/assets/.hidden',
      '/ui/assets/missing-000.js',
    ]) {
      const response = await t.request('GET', path);
      assert.ok(response.status === 404 || response.status === 400, `${path}: ${response.status}`);
      assert.doesNotMatch(response.body, /not for the web/);
    }
  });
});

describe('where the dashboard comes from', () => {
  it('defaults to the installed @nanofaas/dashboard package, and says when a directory is not built', () => {
    const installed = new DashboardFiles({ source: 'package' }).location();
    assert.deepEqual(installed, { dir: fileURLToPath(new URL('../../dashboard/dist', import.meta.url)) });
    const empty = mkdtempSync(join(tmpdir(), 'nanofaas-dashboard-empty-'));
    try {
      const index = new DashboardFiles({ source: 'dir', dir: empty }).index();
      assert.match(String(index), /not built: .*index\.html is missing/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    assert.match(String(new DashboardFiles({ source: 'off' }).index()), /NANOFAAS_DASHBOARD_DIR=off/);
  });
});
