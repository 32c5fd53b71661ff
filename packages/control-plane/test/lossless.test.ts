/**
 * Data is never re-encoded (DESIGN.md §3): the contracts' JSON vectors go through the control
 * plane and a real endpoint that answers with the request's own bytes, and come back identical
 * from :invoke, from :enqueue + GET /v1/executions/{id}, and from the execution list.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { eventually, startTestApp, type TestApp } from './app-test-kit.js';
import { type EchoProcess, startEchoProcess } from './fixtures/echo-process.js';

const vectors = (
  JSON.parse(
    readFileSync(new URL('../../contracts/fixtures/json-vectors.json', import.meta.url), 'utf8'),
  ) as { valid: string[] }
).valid;

describe('the JSON a caller sends and a function answers keeps its bytes', () => {
  let t: TestApp;
  let echo: EchoProcess;
  before(async () => {
    echo = await startEchoProcess({ ECHO_RAW: '1' });
    t = await startTestApp({ NANOFAAS_AUTH: 'off' });
    const created = await t.request('POST', '/v1/functions', { name: 'raw', endpointUrl: echo.url });
    assert.equal(created.status, 201, created.body);
  });
  after(async () => {
    await t?.stop();
    await echo?.stop();
  });

  for (const vector of vectors) {
    it(`sync, async and the execution record: ${vector.slice(0, 40)}`, async () => {
      const body = `{"input":${vector}}`;
      const sync = await t.request('POST', '/v1/functions/raw:invoke', body);
      assert.equal(sync.status, 200, sync.body);
      assert.ok(sync.body.endsWith(`,"output":${body}}`), sync.body);
      const record = await t.request('GET', `/v1/executions/${sync.json.executionId}`);
      assert.ok(record.body.endsWith(`"output":${body}}`), record.body);

      const queued = await t.request('POST', '/v1/functions/raw:enqueue', body);
      assert.equal(queued.status, 202, queued.body);
      const done = await eventually(async () => {
        const reply = await t.request('GET', `/v1/executions/${queued.json.executionId}`);
        return reply.json.status === 'success' ? reply : undefined;
      });
      assert.ok(done.body.endsWith(`"output":${body}}`), done.body);
      const list = await t.request('GET', '/v1/executions?function=raw&limit=1000');
      assert.ok(list.body.includes(`"output":${body}}`), 'the list keeps the bytes too');
    });
  }

  it('keeps the bytes of a 1 MiB input through :invoke and the execution record', async () => {
    const input = `[${Array.from({ length: 60_000 }, (_, i) => `"${i}é€\\n",1.50e${i % 300}`).join(',')}]`;
    const body = `{"input":${input}}`;
    assert.ok(Buffer.byteLength(body) > 1024 * 1024);
    const sync = await t.request('POST', '/v1/functions/raw:invoke', body);
    assert.equal(sync.status, 200, sync.body.slice(0, 200));
    assert.ok(sync.body.endsWith(`,"output":${body}}`));
    const record = await t.request('GET', `/v1/executions/${sync.json.executionId}`);
    assert.ok(record.body.endsWith(`"output":${body}}`));
  });

  it('drops "metadata": null on the way to the function and keeps the input as sent', async () => {
    const reply = await t.request('POST', '/v1/functions/raw:invoke', '{"input": 7.0 ,"metadata":null}');
    assert.equal(reply.status, 200, reply.body);
    assert.ok(reply.body.endsWith('"output":{"input":7.0}}'), reply.body);
  });

  it('refuses input nested 5,000 levels with a 400 naming the limit, on :invoke and :enqueue, and never runs it', async () => {
    const deep = `{"input":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    for (const route of ['invoke', 'enqueue']) {
      const reply = await t.request('POST', `/v1/functions/raw:${route}`, deep);
      assert.equal(reply.status, 400, reply.body);
      assert.equal(reply.json.error.code, 'VALIDATION_FAILED');
      assert.match(reply.json.error.message, /1000 levels/);
    }
    const deepSpec = await t.request(
      'POST',
      '/v1/functions',
      `{"name":"deep","endpointUrl":"http://127.0.0.1:9/","x-a":${'['.repeat(5000)}${']'.repeat(5000)}}`,
    );
    assert.equal(deepSpec.status, 400, deepSpec.body);
  });

  it('refuses a body that is not UTF-8 JSON with MALFORMED_JSON naming the byte', async () => {
    const reply = await t.request('POST', '/v1/functions/raw:invoke', '{"input":01}');
    assert.equal(reply.status, 400);
    assert.equal(reply.json.error.code, 'MALFORMED_JSON');
    assert.match(reply.json.error.message, /byte/);
  });
});

describe('request bytes in flight are bounded (NANOFAAS_MAX_INFLIGHT_BODY_BYTES)', () => {
  it('turns away a body past the budget with 503 OVERLOADED and Retry-After, and takes it once room is back', async () => {
    const echo = await startEchoProcess();
    const t = await startTestApp(
      { NANOFAAS_AUTH: 'off', HOST: '127.0.0.1', NANOFAAS_MAX_INFLIGHT_BODY_BYTES: '6000' },
      {},
      { listen: true },
    );
    try {
      await t.request('POST', '/v1/functions', { name: 'slow', endpointUrl: echo.url });
      const post = (sleepMs: number) =>
        fetch(`${t.app.url()}/v1/functions/slow:invoke`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ input: { sleepMs, pad: 'x'.repeat(4000) } }),
        });
      const held = post(1500);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const refused = await post(0);
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '1');
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'OVERLOADED');
      assert.equal((await held).status, 200);
      const later = await post(0);
      assert.equal(later.status, 200, await later.text());
    } finally {
      await t.stop();
      await echo.stop();
    }
  });
});
