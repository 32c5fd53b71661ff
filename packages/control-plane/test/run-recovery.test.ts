/**
 * A REMOTE run outlives its control plane (a Kubernetes Job does): after a restart the scheduler
 * asks the backend about it (Backend.recoverRun), the run's callback — signed with a token from
 * the persisted callback key — completes the execution, and no second run starts. When nothing of
 * the run is alive, a new attempt with a higher X-Dispatch-Attempt runs.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { FunctionStatus } from '@nanofaas/contracts';
import type {
  Backend,
  BackendContext,
  DeployedFunction,
  Dispatch,
  DispatchResult,
} from '../src/backends/backend.js';
import { loadCallbackKey } from '../src/security/callback-key.js';
import { eventually, startTestApp, type TestApp } from './app-test-kit.js';

/** A backend whose REMOTE runs never end by themselves, as a Job whose control plane died. */
class DetachedRunsBackend implements Backend {
  readonly kind = 'pool' as const;
  readonly invoked: Dispatch[] = [];
  readonly recovered: Dispatch[] = [];
  constructor(private readonly alive: boolean) {}
  validate(): void {}
  async start(_context: BackendContext): Promise<void> {}
  async stop(): Promise<void> {}
  async ensureFunction(_fn: DeployedFunction): Promise<void> {}
  async reconcile(_desired: readonly DeployedFunction[]): Promise<void> {}
  async removeFunction(_name: string): Promise<void> {}
  async scaleFunction(): Promise<void> {}
  describeFunction(): FunctionStatus {
    return { state: 'ready', replicas: 0, readyReplicas: 0 };
  }
  invoke(_fn: DeployedFunction, dispatch: Dispatch): Promise<DispatchResult> {
    this.invoked.push(dispatch);
    if (this.alive) return new Promise(() => undefined);
    const output = Buffer.from(JSON.stringify({ attempt: dispatch.attempt }));
    return Promise.resolve({ ok: true, output, coldStart: false });
  }
  async recoverRun(_fn: DeployedFunction, dispatch: Dispatch): Promise<DispatchResult | undefined> {
    this.recovered.push(dispatch);
    if (!this.alive) return undefined;
    const callback = await dispatch.completion!.wait();
    return callback.success
      ? { ok: true, output: callback.output, coldStart: false }
      : { ok: false, error: callback.error, coldStart: false };
  }
}

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function runningExecution(backend: DetachedRunsBackend) {
  const dataDir = mkdtempSync(join(tmpdir(), 'nanofaas-recovery-'));
  dirs.push(dataDir);
  const first = await startTestApp({ NANOFAAS_DATA_DIR: dataDir, NANOFAAS_AUTH: 'off' }, { backend });
  const registered = await first.request('POST', '/v1/functions', {
    name: 'detached',
    image: 'nanofaas/watchdog:latest',
    runtimeCommand: 'cat',
    executionMode: 'REMOTE',
  });
  assert.equal(registered.status, 201, registered.body);
  const enqueued = await first.request('POST', '/v1/functions/detached:enqueue', { input: 'hello' });
  assert.equal(enqueued.status, 202, enqueued.body);
  const id = enqueued.json.executionId as string;
  const dispatch = await eventually(() => backend.invoked[0]);
  // The row says `running` once the write batch is committed; then the control plane "dies"
  // (it is abandoned, never stopped, as after kill -9).
  await eventually(async () => {
    const status = await first.request('GET', `/v1/executions/${id}`);
    return status.json.status === 'running' ? true : undefined;
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  return { dataDir, id, dispatch };
}

describe('recovery of a run that may still be alive', () => {
  it('derives callback tokens from a key persisted in the data directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nanofaas-key-'));
    dirs.push(dir);
    const key = loadCallbackKey({ dataDir: dir }, '/');
    assert.deepEqual(loadCallbackKey({ dataDir: dir }, '/'), key);
    assert.equal(statSync(join(dir, 'callback.key')).mode & 0o777, 0o600);
    assert.notDeepEqual(
      loadCallbackKey({ dataDir: ':memory:' }, '/'),
      loadCallbackKey({ dataDir: ':memory:' }, '/'),
    );
  });

  it('accepts the old run callback after a restart and starts no second run', async () => {
    const { dataDir, id, dispatch } = await runningExecution(new DetachedRunsBackend(true));
    const backend = new DetachedRunsBackend(true);
    let second: TestApp | undefined;
    try {
      second = await startTestApp({ NANOFAAS_DATA_DIR: dataDir, NANOFAAS_AUTH: 'off' }, { backend });
      const recovered = await eventually(() => backend.recovered[0]);
      assert.equal(recovered.attempt, dispatch.attempt, 'asked about the attempt that was running');
      const callback = await second.request(
        'POST',
        `/v1/internal/executions/${id}:complete`,
        { success: true, output: { from: 'the old run' } },
        { authorization: `Bearer ${dispatch.completion!.token}` },
      );
      assert.equal(callback.status, 200, callback.body);
      assert.equal(callback.json.accepted, true);
      const done = await eventually(async () => {
        const status = await second!.request('GET', `/v1/executions/${id}`);
        return status.json.status === 'success' ? status.json : undefined;
      });
      assert.deepEqual(done.output, { from: 'the old run' });
      assert.equal(backend.invoked.length, 0, 'a second run was started');
    } finally {
      await second?.stop();
    }
  });

  it('dispatches a new, higher attempt when nothing of the run is alive', async () => {
    const { dataDir, id, dispatch } = await runningExecution(new DetachedRunsBackend(true));
    const backend = new DetachedRunsBackend(false);
    let second: TestApp | undefined;
    try {
      second = await startTestApp({ NANOFAAS_DATA_DIR: dataDir, NANOFAAS_AUTH: 'off' }, { backend });
      const done = await eventually(async () => {
        const status = await second!.request('GET', `/v1/executions/${id}`);
        return status.json.status === 'success' ? status.json : undefined;
      });
      assert.equal(backend.recovered.length, 1);
      assert.equal(backend.invoked.length, 1);
      assert.ok(backend.invoked[0]!.attempt > dispatch.attempt, 'the new attempt is numbered higher');
      assert.deepEqual(done.output, { attempt: backend.invoked[0]!.attempt });
    } finally {
      await second?.stop();
    }
  });
});
