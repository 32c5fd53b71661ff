import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { eventually } from './app-test-kit.js';
import { type ControlPlaneProcess, startControlPlaneProcess } from './fixtures/control-plane-process.js';
import { type EchoProcess, startEchoProcess } from './fixtures/echo-process.js';

async function call(base: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

async function countByStatus(base: string, status: string): Promise<number> {
  const list = await call(base, 'GET', `/v1/executions?status=${status}&limit=1000`);
  return list.json.items.length;
}

describe('durability of the async queue (real process, real SQLite file)', { timeout: 240_000 }, () => {
  let dir: string;
  let echo: EchoProcess;
  let logFile: string;
  const processes: ControlPlaneProcess[] = [];
  const start = async () => {
    const cp = await startControlPlaneProcess({
      NANOFAAS_BACKEND: 'pool',
      NANOFAAS_DATA_DIR: join(dir, 'data'),
      NANOFAAS_RETRY_BASE_MS: '20',
      NANOFAAS_SHUTDOWN_GRACE_MS: '200',
    });
    processes.push(cp);
    return cp;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nanofaas-durability-'));
    logFile = join(dir, 'seen.log');
    echo = await startEchoProcess({ ECHO_LOG_FILE: logFile });
  });
  after(async () => {
    for (const cp of processes) await cp.kill('SIGKILL');
    await echo.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('kill -9 with 500 queued executions: after restart each reaches one terminal state, none lost', async (t) => {
    let cp = await start();
    const fn = {
      name: 'durable',
      endpointUrl: echo.url,
      concurrency: 2,
      queueSize: 1000,
      scaling: { minReplicas: 1, maxReplicas: 1 },
    };
    assert.equal((await call(cp.url, 'POST', '/v1/functions', fn)).status, 201);
    const ids: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          call(cp.url, 'POST', '/v1/functions/durable:enqueue', {
            input: { echo: batch * 50 + i, sleepMs: 15 },
          }),
        ),
      );
      for (const response of responses) {
        assert.equal(response.status, 202);
        ids.push(response.json.executionId);
      }
    }
    // Let part of the queue run, then kill the control plane without warning.
    await eventually(async () => ((await countByStatus(cp.url, 'success')) >= 50 ? true : undefined));
    await cp.kill('SIGKILL');
    const doneBeforeKill = readFileSync(logFile, 'utf8').trim().split('\n').length;

    cp = await start();
    await eventually(
      async () => ((await countByStatus(cp.url, 'success')) === 500 ? true : undefined),
      180_000,
    );
    assert.equal(await cp.kill('SIGTERM'), 0, 'a clean shutdown exits 0');

    const db = new Database(join(dir, 'data', 'nanofaas.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT id, status FROM executions').all() as Array<{
        id: string;
        status: string;
      }>;
      assert.equal(rows.length, 500, 'one row per enqueued execution');
      assert.equal(new Set(rows.map((row) => row.id)).size, 500, 'no execution duplicated');
      assert.deepEqual(new Set(rows.map((row) => row.status)), new Set(['success']));
      assert.deepEqual(new Set(rows.map((row) => row.id)), new Set(ids));
    } finally {
      db.close();
    }
    const seen = readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' ')[0]!);
    const seenIds = new Set(seen);
    for (const id of ids) assert.ok(seenIds.has(id), `the function never saw ${id}`);
    t.diagnostic(
      `${doneBeforeKill} invocations before kill -9; ${seen.length - seenIds.size} re-delivered after restart (at-least-once)`,
    );
  });

  it('SIGTERM persists unfinished work; the next start runs it with a higher attempt', async () => {
    let cp = await start();
    const fn = {
      name: 'graceful',
      endpointUrl: echo.url,
      concurrency: 1,
      queueSize: 100,
      scaling: { maxReplicas: 1 },
    };
    assert.equal((await call(cp.url, 'POST', '/v1/functions', fn)).status, 201);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        (await call(cp.url, 'POST', '/v1/functions/graceful:enqueue', { input: { sleepMs: 800 } })).json
          .executionId,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await cp.kill('SIGTERM'), 0);
    cp = await start();
    for (const id of ids) {
      const record = await eventually(async () => {
        const response = await call(cp.url, 'GET', `/v1/executions/${id}`);
        return response.json.status === 'success' ? response.json : undefined;
      }, 60_000);
      assert.equal(record.output.executionId, id);
    }
    const first = await call(cp.url, 'GET', `/v1/executions/${ids[0]}`);
    assert.equal(first.json.attempt, 2, 'the interrupted attempt ran again as attempt 2');
    await cp.kill('SIGTERM');
  });
});
