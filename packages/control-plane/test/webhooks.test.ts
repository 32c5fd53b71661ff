import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { OutboundUrlPolicy, OutboundUrlRefusal } from '../src/webhooks/outbound-url-policy.js';
import { eventually, startTestApp, type TestApp } from './app-test-kit.js';
import { InProcessBackend } from './fixtures/in-process-backend.js';

const SECRET = 'webhook-secret-0123456789';

describe('X-Callback-Url webhooks', () => {
  let t: TestApp;
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  let failuresLeft = 2;
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        res.writeHead(503).end();
        return;
      }
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  let url: string;

  before(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    // The receiver listens on loopback, which only an operator's allow-list opens.
    t = await startTestApp(
      { NANOFAAS_WEBHOOK_SECRET: SECRET, NANOFAAS_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' },
      { backend: new InProcessBackend() },
    );
    await t.request('POST', '/v1/functions', { name: 'hooked', endpointUrl: 'http://127.0.0.1:9/' });
  });
  after(async () => {
    await t.stop();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('posts the final status, signed with HMAC-SHA256, retrying until the receiver accepts', async () => {
    const enqueued = await t.request(
      'POST',
      '/v1/functions/hooked:enqueue',
      { input: { echo: 'hi' } },
      { 'x-callback-url': url },
    );
    assert.equal(enqueued.status, 202, enqueued.body);
    const delivery = await eventually(() => received[0]);
    const status = JSON.parse(delivery.body);
    assert.equal(status.executionId, enqueued.json.executionId);
    assert.equal(status.status, 'success');
    assert.equal(status.output.echo, 'hi');
    const expected = `sha256=${createHmac('sha256', SECRET).update(delivery.body).digest('hex')}`;
    assert.equal(delivery.headers['x-nanofaas-signature'], expected);
    assert.equal(failuresLeft, 0, 'the two failed deliveries were retried');
  });

  it('refuses a callback URL that is not http(s)', async () => {
    const response = await t.request(
      'POST',
      '/v1/functions/hooked:enqueue',
      { input: 1 },
      { 'x-callback-url': 'file:///etc/passwd' },
    );
    assert.equal(response.status, 400);
    assert.match(response.json.error.message, /X-Callback-Url/);
  });

  it('reads an empty X-Callback-Url as none', async () => {
    const response = await t.request(
      'POST',
      '/v1/functions/hooked:enqueue',
      { input: 1 },
      { 'x-callback-url': '' },
    );
    assert.equal(response.status, 202, response.body);
  });
});

describe('X-Callback-Url: no server-side request forgery', () => {
  let t: TestApp;
  let hits = 0;
  let status = 404;
  const receiver = createServer((req, res) => {
    hits += 1;
    req.resume();
    req.on('end', () => res.writeHead(status).end());
  });
  let port: number;
  before(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    port = (receiver.address() as AddressInfo).port;
    t = await startTestApp({ NANOFAAS_WEBHOOK_SECRET: SECRET }, { backend: new InProcessBackend() });
    await t.request('POST', '/v1/functions', { name: 'hooked', endpointUrl: 'http://127.0.0.1:9/' });
  });
  after(async () => {
    await t.stop();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  });

  const enqueueWith = (callbackUrl: string) =>
    t.request('POST', '/v1/functions/hooked:enqueue', { input: 1 }, { 'x-callback-url': callbackUrl });

  it('refuses loopback, private, link-local and unspecified targets in every spelling, naming the rule', async () => {
    const refused: Array<[string, string]> = [
      [`http://127.0.0.1:${port}/hook`, 'address'],
      [`http://localhost:${port}/hook`, 'address'], // a name the hosts file maps to loopback
      [`http://[::1]:${port}/`, 'address'],
      [`http://0x7f.1:${port}/`, 'address'],
      [`http://2130706433:${port}/`, 'address'],
      [`http://0177.0.0.1:${port}/`, 'address'],
      ['http://[::ffff:127.0.0.1]/', 'address'],
      ['http://169.254.169.254/latest/meta-data/', 'address'],
      ['http://10.1.2.3/', 'address'],
      ['http://172.16.0.1/', 'address'],
      ['http://192.168.1.1/', 'address'],
      ['http://[fd00::1]/', 'address'],
      ['http://0.0.0.0/', 'address'],
      ['http://224.0.0.1/', 'address'],
      ['http://user@example.com/', 'userinfo'],
      ['http://user:pass@93.184.216.34/', 'userinfo'],
      ['ftp://93.184.216.34/', 'scheme'],
      ['file:///etc/passwd', 'scheme'],
    ];
    for (const [url, rule] of refused) {
      const response = await enqueueWith(url);
      assert.equal(response.status, 400, url);
      const issue = response.json.error.issues[0];
      assert.equal(issue.field, 'header X-Callback-Url', url);
      assert.equal(issue.rule, rule, `${url}: ${issue.message}`);
    }
    assert.equal(hits, 0, 'the control plane never called any of them');
  });

  it('refuses at connect time a name that re-resolves to a forbidden address (DNS rebinding)', async () => {
    let answers = 0;
    const policy = new OutboundUrlPolicy({
      allowedHosts: [],
      lookup: (_host, callback) => {
        answers += 1;
        // Public on the first answer (the check at enqueue), loopback on the next (the connect).
        callback(null, [{ address: answers === 1 ? '93.184.216.34' : '127.0.0.1', family: 4 }]);
      },
    });
    const url = `http://rebind.test:${port}/hook`;
    await policy.check(url);
    const { Agent, request } = await import('undici');
    const agent = new Agent({ connect: { lookup: policy.connectLookup } });
    await assert.rejects(
      request(url, { dispatcher: agent, method: 'POST', body: '{}' }),
      (error: unknown) => {
        assert.ok(error instanceof OutboundUrlRefusal, String(error));
        assert.match((error as Error).message, /resolves to 127\.0\.0\.1, a loopback address/);
        return true;
      },
    );
    await agent.close();
    assert.equal(hits, 0);
  });

  it('passes a host the operator allowed by name, and does not retry a permanent 4xx', async () => {
    const allowed = await startTestApp(
      { NANOFAAS_WEBHOOK_SECRET: SECRET, NANOFAAS_WEBHOOK_ALLOWED_HOSTS: 'localhost' },
      { backend: new InProcessBackend() },
    );
    try {
      await allowed.request('POST', '/v1/functions', { name: 'hooked', endpointUrl: 'http://127.0.0.1:9/' });
      status = 404;
      const enqueued = await allowed.request(
        'POST',
        '/v1/functions/hooked:enqueue',
        { input: 1 },
        { 'x-callback-url': `http://localhost:${port}/hook` },
      );
      assert.equal(enqueued.status, 202, enqueued.body);
      await eventually(() => (hits >= 1 ? true : undefined));
      // Retries would come after 0.5 s, 1 s, …: give them the time to show up.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal(hits, 1, 'a 404 is final: one delivery, no retries');
    } finally {
      await allowed.stop();
    }
  });
});
