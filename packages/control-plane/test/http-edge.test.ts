/** What Node's HTTP layer answers before a route runs: parser errors and HEAD, over a real socket. */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from './app-test-kit.js';

function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('the HTTP edge', () => {
  let t: TestApp;
  let port: number;
  before(async () => {
    t = await startTestApp({ NANOFAAS_AUTH: 'off', HOST: '127.0.0.1' }, {}, { listen: true });
    port = Number(new URL(t.app.url()).port);
  });
  after(() => t.stop());

  it('answers a malformed request with the documented error body, not an empty one', async () => {
    const answer = await rawExchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400 /);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    assert.equal(body.error.code, 'MALFORMED_REQUEST');
    assert.equal(body.error.origin, 'client');
  });

  it('answers headers over the limit with 431 and an error body', async () => {
    const answer = await rawExchange(
      port,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    assert.match(answer, /^HTTP\/1\.1 431 /);
    assert.equal(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error.code, 'HEADERS_TOO_LARGE');
  });

  it('answers HEAD on the health routes like GET, without a body', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const response = await fetch(`${t.app.url()}${path}`, { method: 'HEAD' });
      assert.equal(response.status, 200, path);
      assert.equal(await response.text(), '');
      assert.ok(Number(response.headers.get('content-length')) > 0);
    }
    const wrong = await fetch(`${t.app.url()}/healthz`, { method: 'DELETE' });
    assert.equal(wrong.status, 405);
    assert.match(wrong.headers.get('allow') ?? '', /HEAD/);
  });
});
