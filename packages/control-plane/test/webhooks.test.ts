import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
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
    t = await startTestApp({ NANOFAAS_WEBHOOK_SECRET: SECRET }, { backend: new InProcessBackend() });
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
});
