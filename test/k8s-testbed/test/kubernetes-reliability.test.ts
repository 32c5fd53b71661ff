// The Kubernetes backend when things go wrong, against the test bed's real API server and
// controllers: a watch that was down catches up (what was deleted meanwhile is noticed), an object
// of a function's name that is not ours (409) and a ResourceQuota become the function's visible
// state and a clear invoke error, and a control plane killed with -9 comes back to adopt its
// objects, run its queued work and take the callback of a Job that ran on meanwhile.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  type V1ConfigMap,
  type V1Deployment,
} from '@kubernetes/client-node';
import { resolveFunctionSpec } from '@nanofaas/contracts';
import pino from 'pino';
import type { DeployedFunction, Dispatch } from '../../../packages/control-plane/src/backends/backend.js';
import {
  createKubeApi,
  loadKubeConfig,
} from '../../../packages/control-plane/src/backends/kubernetes/kube-api.js';
import { KubernetesBackend } from '../../../packages/control-plane/src/backends/kubernetes/kubernetes-backend.js';
import { jobName } from '../../../packages/control-plane/src/backends/kubernetes/object-names.js';
import { EnvReader } from '../../../packages/control-plane/src/config/env-reader.js';
import { loadKubernetesBackendConfig } from '../../../packages/control-plane/src/config/kubernetes-backend-config.js';
import { systemClock } from '../../../packages/control-plane/src/deps/clock.js';
import {
  type ControlPlaneProcess,
  startControlPlaneProcess,
} from '../../../packages/control-plane/test/fixtures/control-plane-process.js';
import { startTestbed, type Testbed } from '../src/index.js';
import { writeKubeconfig } from '../src/kubeconfig.js';
import { waitFor } from '../src/wait-for.js';
import {
  type ControlPlaneOnTestbed,
  callApi,
  type Reply,
  startControlPlaneOnTestbed,
} from './control-plane-on-testbed.js';
import { FailureLogs } from './failure-logs.js';
import { startTcpGate, type TcpGate } from './tcp-gate.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const watchdogPath = process.env.NANOFAAS_WATCHDOG_BIN ?? join(repo, 'watchdog/dist/watchdog');
const echoServer = join(repo, 'packages/control-plane/test/fixtures/echo-server.mjs');
const waitMs = 120_000;

let testbed: Testbed;
let core: CoreV1Api;
let apps: AppsV1Api;
let batch: BatchV1Api;
let dir: string;
const logs = new FailureLogs(() => testbed);
const cleanups: Array<() => Promise<unknown>> = [];

const call = (base: string, method: string, path: string, body?: unknown): Promise<Reply> =>
  callApi(base, method, path, body, waitMs);

/** A control plane in this process on the Kubernetes backend, for one namespace (stopped after). */
async function startApp(namespace: string): Promise<ControlPlaneOnTestbed> {
  const cp = await startControlPlaneOnTestbed(testbed, namespace, {
    NANOFAAS_LOG_LEVEL: process.env.NANOFAAS_LOG_LEVEL ?? 'error',
  });
  cleanups.push(() => cp.stop());
  return cp;
}

function dispatchOf(fn: DeployedFunction, input: unknown): Dispatch {
  return {
    executionId: randomUUID(),
    attempt: 1,
    traceId: randomUUID().replaceAll('-', ''),
    requestBody: Buffer.from(JSON.stringify({ input })),
    timeoutMs: fn.spec.timeoutMs,
    signal: new AbortController().signal,
  };
}

const catFunction = {
  image: 'nanofaas/watchdog:latest',
  runtimeMode: 'STDIO',
  runtimeCommand: 'cat',
} as const;

describe('kubernetes backend: watches, conflicts, quotas, kill -9', { timeout: 20 * 60_000 }, () => {
  before(async () => {
    testbed = await startTestbed({
      onProgress: (line) => console.log(`# ${line}`),
      imageEntrypoints: { '*': [watchdogPath] },
    });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(testbed.kubeconfigPath);
    core = kubeConfig.makeApiClient(CoreV1Api);
    apps = kubeConfig.makeApiClient(AppsV1Api);
    batch = kubeConfig.makeApiClient(BatchV1Api);
    dir = mkdtempSync(join(tmpdir(), 'nanofaas-k8s-reliability-'));
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await testbed?.stop({ keepDir: logs.keepDir });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a watch that was down catches up: an object deleted meanwhile arrives as DELETED; a Deployment deleted meanwhile is made again', async () => {
    await logs.guard(async () => {
      const namespace = 'watching';
      await testbed.createNamespace(namespace);
      const server = new URL(testbed.server);
      const gate: TcpGate = await startTcpGate({ host: server.hostname, port: Number(server.port) });
      cleanups.push(() => gate.close());
      const kubeconfigPath = join(dir, 'gated.kubeconfig');
      writeKubeconfig({
        path: kubeconfigPath,
        server: `https://127.0.0.1:${gate.port}`,
        caPath: testbed.caPath,
        token: testbed.token,
      });
      const configMap = (name: string, value: string): V1ConfigMap => ({
        metadata: { name, labels: { 'watch-test': 'yes' } },
        data: { value },
      });
      for (const name of ['kept', 'deleted', 'changed'])
        await core.createNamespacedConfigMap({ namespace, body: configMap(name, '1') });

      // KubeApi.watch itself, through the gate.
      const api = createKubeApi(loadKubeConfig(kubeconfigPath), namespace, systemClock);
      const seen: string[] = [];
      const stopWatch = api.watch<V1ConfigMap>(
        { apiVersion: 'v1', kind: 'ConfigMap' },
        'watch-test=yes',
        (type, object) => seen.push(`${type} ${object.metadata?.name}`),
        () => undefined,
      );
      cleanups.push(async () => stopWatch());
      await waitFor('the three ConfigMaps listed', async () => seen.length >= 3, { timeoutMs: waitMs });
      assert.deepEqual([...seen].sort(), ['ADDED changed', 'ADDED deleted', 'ADDED kept']);
      seen.length = 0;
      await gate.shut();
      await core.deleteNamespacedConfigMap({ name: 'deleted', namespace });
      await core.replaceNamespacedConfigMap({ name: 'changed', namespace, body: configMap('changed', '2') });
      await core.createNamespacedConfigMap({ namespace, body: configMap('added', '1') });
      await gate.open();
      await waitFor(
        'the watch to catch up on what happened while it was down',
        async () =>
          seen.includes('DELETED deleted') &&
          seen.includes('MODIFIED changed') &&
          seen.includes('ADDED added'),
        { timeoutMs: waitMs },
      );
      assert.ok(!seen.some((event) => event.endsWith(' kept')), `nothing about "kept": ${seen.join(', ')}`);
      stopWatch();

      // The backend through the gate: its function's Deployment deleted while its watches were down.
      const backend = new KubernetesBackend({
        config: loadKubernetesBackendConfig(
          new EnvReader({
            KUBECONFIG: kubeconfigPath,
            NANOFAAS_K8S_NAMESPACE: namespace,
            NANOFAAS_K8S_AUTOSCALE_INTERVAL_MS: '200',
          }),
        ),
        clock: systemClock,
        logger: pino({ level: process.env.NANOFAAS_LOG_LEVEL ?? 'silent' }),
      });
      await backend.start({ load: { queuedCount: () => 0 } });
      cleanups.push(() => backend.stop());
      const fn: DeployedFunction = {
        spec: resolveFunctionSpec({ name: 'gated', ...catFunction }),
        revision: 1,
      };
      await backend.ensureFunction(fn);
      const invokeOk = async () => {
        const result = await backend.invoke(fn, dispatchOf(fn, { hello: 'gated' }));
        return result.ok ? result : undefined;
      };
      await waitFor('the first invocation of "gated"', invokeOk, { timeoutMs: waitMs, intervalMs: 250 });
      const first = await apps.readNamespacedDeployment({ name: 'fn-gated', namespace });
      await gate.shut();
      await apps.deleteNamespacedDeployment({ name: 'fn-gated', namespace });
      await waitFor(
        'fn-gated to be gone',
        async () => (await apps.listNamespacedDeployment({ namespace })).items.length === 0,
        { timeoutMs: waitMs },
      );
      await gate.open();
      const again = await waitFor(
        'fn-gated to be made again once the watch is back',
        async () => {
          const deployments = (await apps.listNamespacedDeployment({ namespace })).items;
          return deployments.find((d: V1Deployment) => d.metadata?.name === 'fn-gated');
        },
        { timeoutMs: waitMs, intervalMs: 250 },
      );
      assert.notEqual(again.metadata?.uid, first.metadata?.uid);
      await waitFor('"gated" to serve again', invokeOk, { timeoutMs: waitMs, intervalMs: 250 });
    });
  });

  it("an object of the function's name that is not ours is a 409 conflict: left alone, never served, shown with the reason", async () => {
    await logs.guard(async () => {
      const namespace = 'guarded';
      await testbed.createNamespace(namespace);
      // Someone else's Deployment and Service `fn-taken`, whose pods even carry `function: taken`.
      const labels = { app: 'someone-else', function: 'taken' };
      await apps.createNamespacedDeployment({
        namespace,
        body: {
          metadata: { name: 'fn-taken', labels },
          spec: {
            replicas: 1,
            selector: { matchLabels: labels },
            template: {
              metadata: { labels },
              spec: {
                containers: [
                  {
                    name: 'theirs',
                    image: 'nanofaas/watchdog:latest',
                    env: [
                      { name: 'WARM', value: 'true' },
                      { name: 'EXECUTION_MODE', value: 'STDIO' },
                      { name: 'WATCHDOG_CMD', value: 'cat' },
                    ],
                    ports: [{ name: 'http', containerPort: 8080 }],
                  },
                ],
              },
            },
          },
        },
      });
      await core.createNamespacedService({
        namespace,
        body: {
          metadata: { name: 'fn-taken', labels },
          spec: { selector: labels, ports: [{ name: 'http', port: 8080, targetPort: 'http' }] },
        },
      });
      await waitFor(
        'their pod to be Ready',
        async () =>
          (await core.listNamespacedPod({ namespace, labelSelector: 'app=someone-else' })).items.some((pod) =>
            pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
          ),
        { timeoutMs: waitMs, intervalMs: 250 },
      );
      const theirs = await apps.readNamespacedDeployment({ name: 'fn-taken', namespace });

      const cp = await startApp(namespace);
      const registered = await cp.call('POST', '/v1/functions', { name: 'taken', ...catFunction });
      assert.equal(registered.status, 201, JSON.stringify(registered.json));
      const status = await cp.call('GET', '/v1/functions/taken');
      assert.equal(status.json.status.state, 'failed', JSON.stringify(status.json));
      assert.match(status.json.status.message, /409 Conflict: Deployment fn-taken already exists/);
      assert.match(status.json.status.message, /not managed by nanofaas/);
      const invoked = await cp.call('POST', '/v1/functions/taken:invoke', { input: 'not for them' });
      assert.equal(invoked.status, 503, JSON.stringify(invoked.json));
      assert.equal(invoked.json.error.code, 'FUNCTION_UNAVAILABLE');
      assert.match(invoked.json.error.message, /409 Conflict/);

      const deleted = await cp.call('DELETE', '/v1/functions/taken');
      assert.equal(deleted.status, 204, JSON.stringify(deleted.json));
      const still = await apps.readNamespacedDeployment({ name: 'fn-taken', namespace });
      assert.equal(still.metadata?.uid, theirs.metadata?.uid, 'their Deployment is not deleted');
      assert.equal(still.metadata?.generation, theirs.metadata?.generation, 'nor changed');
      assert.deepEqual(still.metadata?.labels, labels);
      assert.ok(
        !(still.metadata?.managedFields ?? []).some((entry) => entry.manager === 'nanofaas'),
        'nanofaas never wrote to it',
      );
      assert.ok(await core.readNamespacedService({ name: 'fn-taken', namespace }), 'their Service stays');
      await apps.deleteNamespacedDeployment({ name: 'fn-taken', namespace });
      await core.deleteNamespacedService({ name: 'fn-taken', namespace });
    });
  });

  it("a ResourceQuota the pods or the Jobs exceed: the function is failed with the API server's message, invoke fails at once", async () => {
    await logs.guard(async () => {
      const namespace = 'quota';
      await testbed.createNamespace(namespace);
      await core.createNamespacedResourceQuota({
        namespace,
        body: { metadata: { name: 'none-left' }, spec: { hard: { pods: '0', 'count/jobs.batch': '0' } } },
      });
      // Quota admission needs the usage the resource quota controller computes.
      await waitFor(
        'the quota controller to compute the usage',
        async () =>
          (await core.readNamespacedResourceQuota({ name: 'none-left', namespace })).status?.hard?.pods ===
          '0',
        { timeoutMs: waitMs, intervalMs: 250 },
      );
      const cp = await startApp(namespace);

      const registered = await cp.call('POST', '/v1/functions', { name: 'no-room', ...catFunction });
      assert.equal(registered.status, 201, JSON.stringify(registered.json));
      // An invocation that waits for a pod is failed when the controller reports why none comes.
      const invoked = await cp.call('POST', '/v1/functions/no-room:invoke', { input: 'in vain' });
      assert.equal(invoked.status, 503, JSON.stringify(invoked.json));
      assert.equal(invoked.json.error.code, 'FUNCTION_UNAVAILABLE');
      assert.match(invoked.json.error.message, /exceeded quota: none-left/);
      const status = await cp.call('GET', '/v1/functions/no-room');
      assert.equal(status.json.status.state, 'failed', JSON.stringify(status.json));
      assert.match(status.json.status.message, /forbidden: exceeded quota: none-left, requested: pods=1/);
      // Later ones fail at once.
      const again = await cp.call('POST', '/v1/functions/no-room:invoke', { input: 'again' });
      assert.equal(again.status, 503, JSON.stringify(again.json));

      const remote = await cp.call('POST', '/v1/functions', {
        name: 'no-job',
        executionMode: 'REMOTE',
        ...catFunction,
      });
      assert.equal(remote.status, 201, JSON.stringify(remote.json));
      const run = await cp.call('POST', '/v1/functions/no-job:invoke', { input: 'in vain' });
      assert.equal(run.status, 503, JSON.stringify(run.json));
      assert.match(run.json.error.message, /403: jobs\.batch .* is forbidden: exceeded quota: none-left/);
      const remoteStatus = await cp.call('GET', '/v1/functions/no-job');
      assert.equal(remoteStatus.json.status.state, 'failed', JSON.stringify(remoteStatus.json));
      assert.match(remoteStatus.json.status.message, /exceeded quota: none-left/);

      // Jobs allowed, their pods not: the Job controller only records Events, so the run times out,
      // and the error says why no pod came.
      await core.replaceNamespacedResourceQuota({
        name: 'none-left',
        namespace,
        body: { metadata: { name: 'none-left' }, spec: { hard: { pods: '0' } } },
      });
      await waitFor(
        'the quota controller to take the new limits',
        async () => {
          const quota = await core.readNamespacedResourceQuota({ name: 'none-left', namespace });
          return quota.status?.hard?.['count/jobs.batch'] === undefined && quota.status?.hard?.pods === '0';
        },
        { timeoutMs: waitMs, intervalMs: 250 },
      );
      const noPod = await cp.call('POST', '/v1/functions', {
        name: 'no-pod',
        executionMode: 'REMOTE',
        timeoutMs: 2000,
        maxRetries: 0,
        ...catFunction,
      });
      assert.equal(noPod.status, 201, JSON.stringify(noPod.json));
      const enqueued = await cp.call('POST', '/v1/functions/no-pod:enqueue', { input: 'no pod' });
      assert.equal(enqueued.status, 202, JSON.stringify(enqueued.json));
      const stuck = await waitFor(
        'the run without a pod to time out',
        async () => {
          const reply = await cp.call('GET', `/v1/executions/${enqueued.json.executionId}`);
          return ['timeout', 'error', 'success'].includes(reply.json?.status) ? reply.json : undefined;
        },
        { timeoutMs: waitMs, intervalMs: 250 },
      );
      assert.equal(stuck.status, 'timeout', JSON.stringify(stuck));
      assert.match(stuck.error.message, /no pod of it was ever created: a ResourceQuota/);

      // Room again: both serve (no restart of anything).
      await core.deleteNamespacedResourceQuota({ name: 'none-left', namespace });
      const served = await waitFor(
        '"no-room" to serve once the quota is gone',
        async () => {
          const reply = await cp.call('POST', '/v1/functions/no-room:invoke', { input: 'room' });
          return reply.status === 200 ? reply : undefined;
        },
        { timeoutMs: waitMs, intervalMs: 500 },
      );
      assert.match(JSON.stringify(served.json.output), /room/);
      const ran = await waitFor(
        '"no-job" to run once the quota is gone',
        async () => {
          const reply = await cp.call('POST', '/v1/functions/no-job:invoke', { input: 'room' });
          return reply.status === 200 ? reply : undefined;
        },
        { timeoutMs: waitMs, intervalMs: 500 },
      );
      assert.match(JSON.stringify(ran.json.output), /room/);
      assert.equal((await cp.call('GET', '/v1/functions/no-job')).json.status.state, 'ready');
    });
  });

  it('kill -9 with queued work: the restarted control plane adopts its objects, runs the queue, and takes the callback of the Job that ran on', async () => {
    await logs.guard(async () => {
      const namespace = 'restarts';
      await testbed.createNamespace(namespace);
      const env = {
        NANOFAAS_BACKEND: 'kubernetes',
        KUBECONFIG: testbed.kubeconfigPath,
        NANOFAAS_K8S_NAMESPACE: namespace,
        HOST: testbed.network.hostIP,
        NANOFAAS_DATA_DIR: join(dir, 'restarts-data'),
        NANOFAAS_K8S_AUTOSCALE_INTERVAL_MS: '200',
        NANOFAAS_RETRY_BASE_MS: '50',
        NANOFAAS_RETRY_MAX_MS: '200',
      };
      const processes: ControlPlaneProcess[] = [];
      cleanups.push(async () => {
        for (const cp of processes) await cp.kill('SIGKILL');
      });
      // The first start takes a port the kernel knows is free on the host address (a port found
      // free on 127.0.0.1 may be an outgoing connection's on the bridge); the restart takes the
      // same one, since Job pods call back to that address.
      const start = async (port: number) => {
        const cp = await startControlPlaneProcess({ ...env, PORT: String(port) });
        processes.push(cp);
        return cp;
      };
      let cp = await start(0);
      const port = Number(new URL(cp.url).port);
      const echo = {
        name: 'queued',
        image: 'nanofaas/watchdog:latest',
        runtimeMode: 'HTTP',
        runtimeCommand: `${process.execPath} ${echoServer}`,
        concurrency: 1,
        scaling: { minReplicas: 1, maxReplicas: 1 },
      };
      const slow = {
        name: 'slow-job',
        image: 'nanofaas/watchdog:latest',
        executionMode: 'REMOTE',
        runtimeMode: 'STDIO',
        // Runs on through the kill and the restart.
        runtimeCommand: "sh -c 'sleep 8; cat'",
        timeoutMs: 60_000,
      };
      for (const spec of [echo, slow]) {
        const registered = await call(cp.url, 'POST', '/v1/functions', spec);
        assert.equal(registered.status, 201, JSON.stringify(registered.json));
      }
      await waitFor(
        '"queued" to have its pod ready',
        async () => (await call(cp.url, 'GET', '/v1/functions/queued')).json?.status?.readyReplicas === 1,
        { timeoutMs: waitMs, intervalMs: 250 },
      );
      const remote = await call(cp.url, 'POST', '/v1/functions/slow-job:enqueue', { input: { ran: 'on' } });
      assert.equal(remote.status, 202, JSON.stringify(remote.json));
      const remoteId: string = remote.json.executionId;
      const firstJob = jobName('slow-job', remoteId, 1);
      await waitFor(
        'the REMOTE run to have a running pod',
        async () =>
          (await core.listNamespacedPod({ namespace, labelSelector: `job-name=${firstJob}` })).items.some(
            (pod) => pod.status?.phase === 'Running',
          ),
        { timeoutMs: waitMs, intervalMs: 250 },
      );
      // One at a time (concurrency 1, one pod): the first runs, the others wait in the queue.
      const queued: string[] = [];
      for (let i = 0; i < 4; i++) {
        const reply = await call(cp.url, 'POST', '/v1/functions/queued:enqueue', {
          input: { echo: i, sleepMs: 1500 },
        });
        assert.equal(reply.status, 202, JSON.stringify(reply.json));
        queued.push(reply.json.executionId);
      }
      const objectsBefore = await functionObjects(namespace);
      await cp.kill('SIGKILL');

      cp = await start(port);
      for (const [i, id] of queued.entries()) {
        const done = await waitFor(
          `queued execution ${i} to succeed after the restart`,
          async () => {
            const reply = await call(cp.url, 'GET', `/v1/executions/${id}`);
            if (reply.json?.status === 'error' || reply.json?.status === 'timeout')
              throw new Error(JSON.stringify(reply.json));
            return reply.json?.status === 'success' ? reply.json : undefined;
          },
          { timeoutMs: waitMs, intervalMs: 250 },
        );
        assert.equal(done.output.echo, i);
      }
      const recovered = await waitFor(
        'the REMOTE execution to succeed',
        async () => {
          const reply = await call(cp.url, 'GET', `/v1/executions/${remoteId}`);
          return reply.json?.status === 'success' || reply.json?.status === 'error' ? reply.json : undefined;
        },
        { timeoutMs: waitMs, intervalMs: 250 },
      );
      assert.equal(recovered.status, 'success', JSON.stringify(recovered));
      assert.match(JSON.stringify(recovered.output), /"ran":"on"/);
      assert.equal(
        (
          await batch.listNamespacedJob({ namespace, labelSelector: 'nanofaas.io/function=slow-job' })
        ).items.filter((job) => job.metadata?.name !== firstJob).length,
        0,
        'the Job that ran on delivered the result: no second Job',
      );
      const objectsAfter = await functionObjects(namespace);
      assert.deepEqual(objectsAfter.deployments, objectsBefore.deployments, 'the same Deployment, adopted');
      assert.deepEqual(objectsAfter.services, objectsBefore.services, 'the same Service, adopted');
      assert.ok(
        objectsAfter.secrets.every((name) => name === firstJob),
        `Secrets: ${objectsAfter.secrets}`,
      );
    });
  });
});

/** Uids of the namespace's Deployments and Services, names of its Secrets of ours. */
async function functionObjects(namespace: string) {
  const [deployments, services, secrets] = await Promise.all([
    apps.listNamespacedDeployment({ namespace }),
    core.listNamespacedService({ namespace }),
    core.listNamespacedSecret({ namespace, labelSelector: 'app.kubernetes.io/managed-by=nanofaas' }),
  ]);
  return {
    deployments: deployments.items.map((d) => `${d.metadata?.name}/${d.metadata?.uid}`).sort(),
    services: services.items.map((s) => `${s.metadata?.name}/${s.metadata?.uid}`).sort(),
    secrets: secrets.items.map((s) => s.metadata?.name ?? '').sort(),
  };
}
