/**
 * SIGTERM with REMOTE runs in flight (docs/lifecycle.md, "Shutdown"): the control plane stops
 * admitting work but keeps its listener for callbacks, so every run's result lands.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ControlPlaneProcess, startControlPlaneProcess } from './fixtures/control-plane-process.js';
import { eventually } from './local-test-kit.js';

async function call(base: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

describe('shutdown with one-shot runs in flight', { timeout: 120_000 }, () => {
  let root: string;
  const processes: ControlPlaneProcess[] = [];
  const start = async () => {
    const cp = await startControlPlaneProcess({
      NANOFAAS_BACKEND: 'local',
      NANOFAAS_EXAMPLES: 'false',
      NANOFAAS_DATA_DIR: join(root, 'data'),
      NANOFAAS_FUNCTIONS_ROOT: root,
      NANOFAAS_SHUTDOWN_GRACE_MS: '20000',
    });
    processes.push(cp);
    return cp;
  };

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'nanofaas-shutdown-'));
    chmodSync(root, 0o755);
    const slow = join(root, 'slow-echo.sh');
    writeFileSync(slow, '#!/bin/sh\nsleep 2\ncat\n');
    chmodSync(slow, 0o755);
  });
  after(async () => {
    for (const cp of processes) await cp.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  it('every result lands: sync callers get 200, async executions finish once, nothing runs again', async () => {
    let cp = await start();
    const spec = {
      name: 'slow-remote',
      executionMode: 'REMOTE',
      runtimeMode: 'STDIO',
      runtimeCommand: join(root, 'slow-echo.sh'),
      concurrency: 8,
      scaling: { maxReplicas: 1 },
    };
    assert.equal((await call(cp.url, 'POST', '/v1/functions', spec)).status, 201);
    const sync = [0, 1, 2].map((n) =>
      call(cp.url, 'POST', '/v1/functions/slow-remote:invoke', { input: { sync: n } }),
    );
    const asyncIds: string[] = [];
    for (const n of [0, 1, 2]) {
      const enqueued = await call(cp.url, 'POST', '/v1/functions/slow-remote:enqueue', {
        input: { async: n },
      });
      asyncIds.push(enqueued.json.executionId);
    }
    assert.ok(
      await eventually(async () => {
        const running = await call(cp.url, 'GET', '/v1/executions?status=running&limit=100');
        return running.json.items.length === 6;
      }),
      'all six runs are in flight',
    );

    const exited = cp.kill('SIGTERM');
    // While it drains: no new work, but readiness says so and executions stay readable.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await call(cp.url, 'POST', '/v1/functions/slow-remote:invoke', { input: 1 });
    assert.equal(refused.status, 503);
    assert.equal(refused.json.error.code, 'SHUTTING_DOWN');
    assert.equal((await call(cp.url, 'GET', '/readyz')).status, 503);
    assert.equal((await call(cp.url, 'GET', `/v1/executions/${asyncIds[0]}`)).status, 200);

    for (const [n, answer] of (await Promise.all(sync)).entries()) {
      assert.equal(answer.status, 200, JSON.stringify(answer.json));
      assert.deepEqual(answer.json.output, { input: { sync: n } });
    }
    assert.equal(await exited, 0);

    cp = await start();
    for (const [n, id] of asyncIds.entries()) {
      const record = (await call(cp.url, 'GET', `/v1/executions/${id}`)).json;
      assert.equal(record.status, 'success', `${id} finished before the stop`);
      assert.equal(record.attempt, 1, 'one run, no second one after the restart');
      assert.deepEqual(record.output, { input: { async: n } });
    }
    const metrics = await (await fetch(`${cp.url}/metrics`)).text();
    assert.doesNotMatch(metrics, /nanofaas_local_one_shot_runs_total\{function="slow-remote"\} [1-9]/);
    await cp.kill('SIGTERM');
  });
});
