/**
 * Function isolation on the local backend, tried as a hostile function would (docs/security.md):
 * real control plane process with real secrets in its environment, real watchdogs, real /proc.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type ControlPlaneProcess, startControlPlaneProcess } from './fixtures/control-plane-process.js';
import { eventually } from './local-test-kit.js';

const ADMIN = 'admin-key-isolation-0123456789';
const INVOKER = 'invoke-key-isolation-0123456789';
const HOSTILE = fileURLToPath(new URL('./fixtures/hostile-function.mjs', import.meta.url));

describe('a hostile function cannot reach the platform or other functions', { timeout: 120_000 }, () => {
  let root: string;
  let controlPlane: ControlPlaneProcess;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  const call = async (method: string, path: string, body?: unknown, key = ADMIN): Promise<any> => {
    const response = await fetch(`${controlPlane.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'nanofaas-isolation-'));
    chmodSync(root, 0o755);
    const slow = join(root, 'slow-echo.sh');
    writeFileSync(slow, '#!/bin/sh\nsleep 4\ncat\n');
    chmodSync(slow, 0o755);
    controlPlane = await startControlPlaneProcess({
      NANOFAAS_AUTH: 'on',
      NANOFAAS_API_KEYS: `${ADMIN}:admin,${INVOKER}:invoke`,
      NANOFAAS_WEBHOOK_SECRET: 'webhook-secret-isolation-0123456789',
      NANOFAAS_BACKEND: 'local',
      NANOFAAS_EXAMPLES: 'false',
      NANOFAAS_DATA_DIR: join(root, 'data'),
      NANOFAAS_FUNCTIONS_ROOT: root,
    });
    for (const spec of [
      { name: 'neighbour', runtimeMode: 'STDIO', runtimeCommand: '/bin/cat' },
      { name: 'victim', runtimeMode: 'STDIO', executionMode: 'REMOTE', runtimeCommand: slow, maxRetries: 0 },
      {
        name: 'attacker',
        runtimeMode: 'STDIO',
        runtimeCommand: `${process.execPath} ${HOSTILE}`,
        timeoutMs: 20_000,
      },
    ]) {
      const registered = await call('POST', '/v1/functions', spec);
      assert.equal(registered.status, 201, JSON.stringify(registered.json));
    }
  });

  after(async () => {
    await controlPlane?.kill('SIGTERM');
    rmSync(root, { recursive: true, force: true });
  });

  it('finds no secret, no database, no other function and cannot forge a result', async (t) => {
    const attacker = await eventually(
      async () => (await call('GET', '/v1/functions/attacker')).json?.status?.state === 'ready',
    );
    assert.ok(attacker, 'the attacker function became ready');
    const status = (await call('GET', '/v1/functions/attacker')).json.status;
    if (status.isolation === 'none') {
      t.skip('no isolation available on this machine (reported as isolation "none")');
      return;
    }
    const neighbour = (await call('GET', '/v1/functions/neighbour')).json.status;
    const neighbourPid = neighbour.instances?.[0]?.pid;
    assert.ok(Number.isInteger(neighbourPid), JSON.stringify(neighbour));
    const neighbourScratch = readdirSync(tmpdir()).find((entry) =>
      entry.startsWith('nanofaas-instance-neighbour-'),
    );
    assert.ok(neighbourScratch, 'the neighbour has a scratch dir on the host');

    const victimInput = { original: 'the genuine input', n: 7 };
    const enqueued = await call('POST', '/v1/functions/victim:enqueue', { input: victimInput }, INVOKER);
    assert.equal(enqueued.status, 202);
    const victimExecutionId = enqueued.json.executionId;
    // The victim's one-shot watchdog is running, its CALLBACK_TOKEN in its environment.
    assert.ok(
      await eventually(
        async () => (await call('GET', `/v1/executions/${victimExecutionId}`)).json.status === 'running',
      ),
    );

    const dataDir = join(root, 'data');
    const invoked = await call(
      'POST',
      '/v1/functions/attacker:invoke',
      {
        input: {
          controlPlanePid: controlPlane.child.pid,
          database: join(dataDir, 'nanofaas.db'),
          adminKey: join(dataDir, 'admin.key'),
          dataDir,
          neighbourPid,
          neighbourScratch: join(tmpdir(), neighbourScratch),
          victimExecutionId,
          callbackBase: `${controlPlane.url}/v1/internal/executions`,
        },
      },
      INVOKER,
    );
    assert.equal(invoked.status, 200, JSON.stringify(invoked.json));
    const report = invoked.json.output;
    assert.equal(report.work, 'done', 'the function still does its normal work');
    assert.deepEqual(report.findings, [], JSON.stringify(report.results));
    for (const result of report.results) assert.equal(result.ok, false, `${result.what} must fail`);
    for (const code of report.forged)
      assert.ok(code === 401 || code === 403, `forged completion answered ${code}`);
    if (process.getuid?.() === 0) assert.notEqual(report.uid, 0, 'a function never runs as root');
    if (status.isolation === 'namespaces') {
      assert.ok(report.visibleProcesses < 10, `sees only its own processes (${report.visibleProcesses})`);
      assert.deepEqual(
        report.tmp.filter(
          (entry: string) => entry.startsWith('nanofaas-instance-') && !entry.includes('attacker'),
        ),
        [],
        'a private /tmp: no other instance scratch dir',
      );
    }

    const finished = await eventually(async () => {
      const record = (await call('GET', `/v1/executions/${victimExecutionId}`)).json;
      return record.status === 'success' || record.status === 'error' ? record : undefined;
    }, 30_000);
    assert.ok(finished);
    const victim = (await call('GET', `/v1/executions/${victimExecutionId}`)).json;
    assert.equal(victim.status, 'success');
    assert.deepEqual(victim.output, { input: victimInput }, 'the genuine result, not a forged one');
  });

  it('reports the isolation level of every function', async () => {
    const status = (await call('GET', '/v1/functions/neighbour')).json.status;
    assert.ok(['namespaces', 'uid', 'none'].includes(status.isolation), JSON.stringify(status));
    if (process.getuid?.() === 0) assert.notEqual(status.isolation, 'none', 'root always has uid isolation');
  });
});
