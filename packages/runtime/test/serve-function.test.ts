import assert from 'node:assert/strict';
import { it } from 'node:test';
// The built entry point: serveFunction starts dist/cli.js next to it.
import { serveFunction } from '@nanofaas/runtime/testing';
import { fixture } from './support/spawn-runtime.js';

it('serveFunction runs a handler module in a real runtime process and stop() ends it', async () => {
  const served = await serveFunction(fixture('behaviours.mjs'), { env: { FUNCTION_NAME: 'echo' } });
  const response = await fetch(`${served.url}/invoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: { hello: 'world' } }),
  });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { hello: 'world' });
  await served.stop();
  await assert.rejects(fetch(`${served.url}/health`), 'the runtime no longer answers after stop()');
});

it('serveFunction rejects with the runtime’s own message when the module has no handler', async () => {
  await assert.rejects(serveFunction(fixture('no-handler.mjs')), /exited before listening: .*handler/is);
});
