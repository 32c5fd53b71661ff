import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type ServedFunction, serveFunction } from '@nanofaas/runtime/testing';

// The built function served by the real runtime over HTTP, as the README shows.
const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('json-transform served by nanofaas-runtime', () => {
  let served: ServedFunction;
  let url: string;

  before(async () => {
    served = await serveFunction(built);
    url = served.url;
  });
  after(() => served.stop());

  it('answers POST /invoke with the transformed document', async () => {
    const response = await fetch(`${url}/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        input: {
          document: { user: { name: 'ada' }, id: 7, secret: 'x' },
          operations: [
            { op: 'rename', from: 'user.name', to: 'name' },
            { op: 'uppercase', fields: ['name'] },
            { op: 'pick', fields: ['id', 'name'] },
          ],
        },
      }),
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { id: 7, name: 'ADA' });
  });

  it('answers a bad operation with 500 and the INVALID_OPERATION error', async () => {
    const response = await fetch(`${url}/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: { document: {}, operations: [{ op: 'explode' }] } }),
    });
    assert.equal(response.status, 500);
    assert.equal(response.headers.get('x-error-origin'), 'function');
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(error.code, 'INVALID_OPERATION');
    assert.match(error.message, /operations\.0\.op/);
  });
});
