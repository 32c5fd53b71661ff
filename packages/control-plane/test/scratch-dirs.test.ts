/** A run whose process cannot be started leaves no scratch directory behind. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { resolveFunctionSpec } from '@nanofaas/contracts';
import { createScratchDir, SCRATCH_DIR_PREFIX } from '../src/backends/local/instance-process.js';
import { LocalBackend } from '../src/backends/local/local-backend.js';
import { EnvReader } from '../src/config/env-reader.js';
import { loadLocalBackendConfig } from '../src/config/local-backend-config.js';
import { startCompletionReceiver } from './fixtures/completion-receiver.js';

it('removes the scratch directory of a one-shot run whose spawn fails', async () => {
  const root = mkdtempSync(join(tmpdir(), 'nanofaas-scratch-test-'));
  const config = loadLocalBackendConfig(new EnvReader({ NANOFAAS_FUNCTIONS_ROOT: root }), root);
  const backend = new LocalBackend({
    config,
    log: () => undefined,
    launcher: {
      launch() {
        throw Object.assign(new Error('spawn EAGAIN'), { code: 'EAGAIN' });
      },
    },
  });
  const callbacks = await startCompletionReceiver();
  const name = `scratch-${randomBytes(3).toString('hex')}`;
  try {
    await backend.start({ load: { queuedCount: () => 0 } });
    const fn = {
      spec: resolveFunctionSpec({
        name,
        runtimeCommand: 'cat',
        runtimeMode: 'STDIO',
        executionMode: 'REMOTE',
      }),
      revision: 1,
    };
    await backend.ensureFunction(fn);
    const executionId = randomBytes(8).toString('hex');
    const result = await backend.invoke(fn, {
      executionId,
      attempt: 1,
      traceId: randomBytes(16).toString('hex'),
      requestBody: Buffer.from('{"input":1}'),
      timeoutMs: 5_000,
      signal: new AbortController().signal,
      completion: callbacks.channel(executionId),
    });
    assert.equal(result.ok, false);
    const left = readdirSync(tmpdir()).filter((entry) => entry.startsWith(`${SCRATCH_DIR_PREFIX}${name}-`));
    assert.deepEqual(left, []);
  } finally {
    await backend.stop();
    await callbacks.close();
    rmSync(root, { recursive: true, force: true });
  }
});

it('removes a scratch directory it cannot hand to the function', () => {
  const instanceId = `scratch-chown-${randomBytes(3).toString('hex')}`;
  // A uid no system has: chown refuses it.
  const identity = { uid: 2 ** 32, gid: 2 ** 32 };
  assert.throws(() => createScratchDir(instanceId, { identity, neededPaths: [] }));
  const left = readdirSync(tmpdir()).filter((entry) =>
    entry.startsWith(`${SCRATCH_DIR_PREFIX}${instanceId}-`),
  );
  assert.deepEqual(left, []);
});
