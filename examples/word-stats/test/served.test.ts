import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type ServedFunction, serveFunction } from '@nanofaas/runtime/testing';

// The built function served by the real runtime over HTTP, as the README shows.
const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('word-stats served by nanofaas-runtime', () => {
  let served: ServedFunction;
  let url: string;

  before(async () => {
    served = await serveFunction(built);
    url = served.url;
  });
  after(() => served.stop());

  it('answers POST /invoke with the statistics', async () => {
    const response = await fetch(`${url}/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: { text: 'to be or not to be', topN: 2 } }),
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      words: 6,
      uniqueWords: 4,
      top: [
        { word: 'be', count: 2 },
        { word: 'to', count: 2 },
      ],
    });
  });

  it('takes topN written as 2.0 (a whole number with a decimal point) like 2', async () => {
    const ask = async (topN: string) => {
      const response = await fetch(`${url}/invoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `{"input":{"text":"to be or not to be","topN":${topN}}}`,
      });
      return { status: response.status, body: await response.text() };
    };
    const plain = await ask('2');
    assert.equal(plain.status, 200, plain.body);
    assert.deepEqual(await ask('2.0'), plain);
    const half = await ask('2.50');
    assert.equal(half.status, 500);
    assert.match(half.body, /field \\"topN\\": must be a whole number from 1 to 1000, got number 2.50/);
  });

  it('answers bad input with 500 and the INVALID_INPUT error', async () => {
    const response = await fetch(`${url}/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: { text: 1 } }),
    });
    assert.equal(response.status, 500);
    assert.equal(response.headers.get('x-error-origin'), 'function');
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(error.code, 'INVALID_INPUT');
    assert.match(error.message, /field "text"/);
  });
});
