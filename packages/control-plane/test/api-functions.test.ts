import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from './app-test-kit.js';

const endpointUrl = 'http://127.0.0.1:9/invoke';

describe('function management API', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ NANOFAAS_MAX_BODY_BYTES: '4096' });
  });
  after(() => t.stop());

  it('registers a function (201) with defaults applied, then lists and gets it', async () => {
    const created = await t.request('POST', '/v1/functions', { name: 'hello', endpointUrl, timeoutMs: 5000 });
    assert.equal(created.status, 201, created.body);
    assert.equal(created.json.name, 'hello');
    assert.equal(created.json.revision, 1);
    assert.equal(created.json.concurrency, 4);
    assert.equal(created.json.status.state, 'ready');
    const list = await t.request('GET', '/v1/functions');
    assert.deepEqual(
      list.json.items.map((f: { name: string }) => f.name),
      ['hello'],
    );
    const one = await t.request('GET', '/v1/functions/hello');
    assert.equal(one.json.timeoutMs, 5000);
  });

  it('refuses a duplicate registration with 409 FUNCTION_EXISTS', async () => {
    await t.request('POST', '/v1/functions', { name: 'dup', endpointUrl });
    const again = await t.request('POST', '/v1/functions', { name: 'dup', endpointUrl });
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, 'FUNCTION_EXISTS');
    assert.equal(again.headers['x-error-origin'], 'client');
  });

  it('updates a function with PUT: the revision increments', async () => {
    await t.request('POST', '/v1/functions', { name: 'upd', endpointUrl, timeoutMs: 1000 });
    const updated = await t.request('PUT', '/v1/functions/upd', {
      name: 'upd',
      endpointUrl,
      timeoutMs: 2000,
    });
    assert.equal(updated.status, 200, updated.body);
    assert.equal(updated.json.revision, 2);
    assert.equal(updated.json.timeoutMs, 2000);
    const mismatch = await t.request('PUT', '/v1/functions/upd', { name: 'other', endpointUrl });
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.json.error.message, /field "name"/);
    const missing = await t.request('PUT', '/v1/functions/nope', { name: 'nope', endpointUrl });
    assert.equal(missing.status, 404);
  });

  it('deletes a function (204); it is gone afterwards (404)', async () => {
    await t.request('POST', '/v1/functions', { name: 'gone', endpointUrl });
    assert.equal((await t.request('DELETE', '/v1/functions/gone')).status, 204);
    const after = await t.request('GET', '/v1/functions/gone');
    assert.equal(after.status, 404);
    assert.equal(after.json.error.code, 'FUNCTION_NOT_FOUND');
    assert.equal((await t.request('DELETE', '/v1/functions/gone')).status, 404);
  });

  it('pins replicas with PUT /replicas and validates the body', async () => {
    await t.request('POST', '/v1/functions', { name: 'rep', endpointUrl });
    const pinned = await t.request('PUT', '/v1/functions/rep/replicas', { replicas: 2 });
    assert.equal(pinned.status, 200, pinned.body);
    assert.equal(pinned.json.status.replicas, 2);
    const bad = await t.request('PUT', '/v1/functions/rep/replicas', { replicas: -1 });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /field "replicas"/);
  });

  describe('bad input gets a 4xx that names the problem', () => {
    const cases: Array<[string, unknown, number, string, RegExp]> = [
      ['an invalid name', { name: 'Bad_Name', endpointUrl }, 400, 'VALIDATION_FAILED', /field "name"/],
      [
        'a name too long',
        { name: `a${'b'.repeat(60)}`, endpointUrl },
        400,
        'VALIDATION_FAILED',
        /field "name"/,
      ],
      [
        'a wrong type',
        { name: 'typed', endpointUrl, timeoutMs: 'soon' },
        400,
        'VALIDATION_FAILED',
        /field "timeoutMs"/,
      ],
      [
        'an unknown field',
        { name: 'extra', endpointUrl, colour: 'red' },
        400,
        'VALIDATION_FAILED',
        /field "colour"/,
      ],
      ['no way to run it', { name: 'norun' }, 400, 'VALIDATION_FAILED', /runtimeCommand/],
      ['a non-object body', [1, 2], 400, 'VALIDATION_FAILED', /body/],
      ['malformed JSON', '{"name": ', 400, 'MALFORMED_JSON', /not valid JSON/],
      ['an empty body', '', 400, 'MALFORMED_JSON', /empty/],
      [
        'an oversized body',
        { name: 'big', endpointUrl, env: { X: 'x'.repeat(8000) } },
        413,
        'PAYLOAD_TOO_LARGE',
        /4096/,
      ],
      [
        'a function the pool cannot run',
        { name: 'nourl', runtimeCommand: 'node x.js' },
        400,
        'VALIDATION_FAILED',
        /endpointUrl/,
      ],
    ];
    for (const [label, body, status, code, message] of cases) {
      it(label, async () => {
        const response = await t.request('POST', '/v1/functions', body);
        assert.equal(response.status, status, response.body);
        assert.equal(response.json.error.code, code);
        assert.match(response.json.error.message, message);
      });
    }

    it('an invalid name in the path', async () => {
      const response = await t.request('GET', '/v1/functions/Nope!');
      assert.equal(response.status, 400);
      assert.match(response.json.error.message, /field "name"/);
    });

    it('a multipart body (415)', async () => {
      const response = await t.request('POST', '/v1/functions', 'x', {
        'content-type': 'multipart/form-data',
      });
      assert.equal(response.status, 415);
    });

    it('an unknown route (404) and a wrong method (405)', async () => {
      const unknown = await t.request('GET', '/v2/nothing');
      assert.equal(unknown.status, 404);
      assert.equal(unknown.json.error.code, 'ROUTE_NOT_FOUND');
      const wrong = await t.request('PATCH', '/v1/functions');
      assert.equal(wrong.status, 405);
      assert.match(String(wrong.headers.allow), /GET/);
    });

    it('a broken percent-escape in the path', async () => {
      const response = await t.request('GET', '/v1/executions/%E0%A4%A');
      assert.equal(response.status, 400);
    });
  });

  describe('a spec that can never run is a 400 at registration and on PUT, and nothing is stored', () => {
    const unrunnable: Array<[string, Record<string, unknown>, string]> = [
      ['an endpointUrl that is not a URL', { endpointUrl: 'http://[' }, 'endpointUrl'],
      ['an endpointUrl with a NUL', { endpointUrl: 'http://a\u0000b/' }, 'endpointUrl'],
      ['an endpointUrl with port 99999', { endpointUrl: 'http://127.0.0.1:99999/' }, 'endpointUrl'],
      ['a blank runtimeCommand', { endpointUrl, runtimeCommand: '   ' }, 'runtimeCommand'],
      ['unbalanced quotes', { endpointUrl, runtimeCommand: 'node "x.js' }, 'runtimeCommand'],
      ['a NUL in env', { endpointUrl, env: { A: 'a\u0000' } }, 'env.A'],
      ['memory "1"', { endpointUrl, resources: { memory: '1' } }, 'resources.memory'],
      ['a DEPLOYMENT spec on the pool backend', { image: 'x', executionMode: 'DEPLOYMENT' }, 'endpointUrl'],
    ];
    for (const [label, fields, field] of unrunnable) {
      it(label, async () => {
        const name = `never-${label.length}`;
        const created = await t.request('POST', '/v1/functions', { name, ...fields });
        assert.equal(created.status, 400, created.body);
        assert.equal(created.json.error.code, 'VALIDATION_FAILED');
        assert.ok(
          created.json.error.issues.some((issue: { field: string }) => issue.field === field),
          created.body,
        );
        assert.equal((await t.request('GET', `/v1/functions/${name}`)).status, 404);
        await t.request('POST', '/v1/functions', { name, endpointUrl });
        const updated = await t.request('PUT', `/v1/functions/${name}`, { name, ...fields });
        assert.equal(updated.status, 400, updated.body);
        assert.equal((await t.request('GET', `/v1/functions/${name}`)).json.revision, 1);
        await t.request('DELETE', `/v1/functions/${name}`);
      });
    }
  });

  it('reads null as absent in every optional field, and says "must not be null" for the name', async () => {
    const created = await t.request('POST', '/v1/functions', {
      name: 'nullish',
      endpointUrl,
      image: null,
      runtimeCommand: null,
      env: null,
      resources: null,
      timeoutMs: null,
      executionMode: null,
      scaling: { minReplicas: null, maxReplicas: 2 },
      workdir: null,
    });
    assert.equal(created.status, 201, created.body);
    assert.equal(created.json.executionMode, 'POOL');
    assert.equal(created.json.effectiveExecutionMode, 'POOL');
    assert.equal(created.json.endpointUrl, endpointUrl);
    assert.equal(created.json.timeoutMs, 30_000);
    assert.equal(created.json.scaling.maxReplicas, 2);
    assert.equal('image' in created.json, false);
    const nullName = await t.request('POST', '/v1/functions', { name: null, endpointUrl });
    assert.equal(nullName.status, 400);
    assert.match(nullName.json.error.message, /field "name": must not be null/);
    const unpinned = await t.request('PUT', '/v1/functions/nullish/replicas', { replicas: null });
    assert.equal(unpinned.status, 200, unpinned.body);
  });

  it('takes scalingConfig as the original name of scaling and ignores x-* keys', async () => {
    const created = await t.request('POST', '/v1/functions', {
      name: 'original',
      endpointUrl,
      scalingConfig: { strategy: 'NONE', minReplicas: 2 },
      'x-owner': 'team-a',
    });
    assert.equal(created.status, 201, created.body);
    assert.deepEqual(
      [created.json.scaling.strategy, created.json.scaling.minReplicas, created.json.scaling.maxReplicas],
      ['NONE', 2, 2],
    );
    assert.equal('x-owner' in created.json, false);
    const both = await t.request('POST', '/v1/functions', {
      name: 'both',
      endpointUrl,
      scaling: {},
      scalingConfig: {},
    });
    assert.equal(both.status, 400);
    assert.match(both.json.error.message, /scalingConfig/);
  });

  it('serves health, readiness, metrics and the OpenAPI document', async () => {
    assert.equal((await t.request('GET', '/healthz')).status, 200);
    assert.equal((await t.request('GET', '/readyz')).json.status, 'ready');
    const metrics = await t.request('GET', '/metrics');
    assert.match(metrics.body, /# TYPE nanofaas_invocations_total counter/);
    assert.match(metrics.body, /nanofaas_queue_depth/);
    const openapi = await t.request('GET', '/openapi.json');
    assert.equal(openapi.json.openapi.startsWith('3.'), true);
    assert.ok(openapi.json.paths['/v1/functions/{name}:invoke']);
  });
});
