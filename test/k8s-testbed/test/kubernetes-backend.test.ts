// The Kubernetes backend against the test bed's real API server and controllers, with the real
// watchdog (and the Node runtime) serving the pods: register → objects → pods ready → :invoke,
// REMOTE Jobs calling back, scale to zero and activation, restart and adoption, delete.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  AppsV1Api,
  AutoscalingV2Api,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  type V1Container,
} from '@kubernetes/client-node';
import { startTestbed, type Testbed } from '../src/index.js';
import { waitFor } from '../src/wait-for.js';
import {
  type ControlPlaneOnTestbed,
  type Reply,
  startControlPlaneOnTestbed,
} from './control-plane-on-testbed.js';
import { FailureLogs } from './failure-logs.js';

const namespace = 'functions';
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const watchdogPath = process.env.NANOFAAS_WATCHDOG_BIN ?? join(repo, 'watchdog/dist/watchdog');
const echoServer = join(repo, 'packages/control-plane/test/fixtures/echo-server.mjs');
const runtimeCli = join(repo, 'packages/runtime/dist/cli.js');
const runtimeHandler = join(repo, 'packages/control-plane/test/fixtures/runtime-handler.mjs');
const waitMs = 120_000;

let testbed: Testbed;
let core: CoreV1Api;
let apps: AppsV1Api;
let batch: BatchV1Api;
let autoscaling: AutoscalingV2Api;
let controlPlane: ControlPlaneOnTestbed;
const logs = new FailureLogs(() => testbed);

const call = (method: string, path: string, body?: unknown): Promise<Reply> =>
  controlPlane.call(method, path, body);

async function readyFunction(name: string, replicas = 1): Promise<Reply> {
  return waitFor(
    `function ${name} to report ${replicas} ready pods`,
    async () => {
      const reply = await call('GET', `/v1/functions/${name}`);
      return reply.json?.status?.readyReplicas === replicas ? reply : undefined;
    },
    { timeoutMs: waitMs, intervalMs: 250 },
  );
}

function envOf(container: V1Container | undefined): Record<string, string> {
  return Object.fromEntries(
    (container?.env ?? []).map((e) => [e.name, e.value ?? `secret:${e.valueFrom?.secretKeyRef?.key}`]),
  );
}

async function podsOf(selector: string) {
  return (await core.listNamespacedPod({ namespace, labelSelector: selector })).items;
}

describe('kubernetes backend on the test bed', { timeout: 20 * 60_000 }, () => {
  before(async () => {
    testbed = await startTestbed({
      onProgress: (line) => console.log(`# ${line}`),
      imageEntrypoints: {
        // An image that serves /invoke and /health itself (spec, "Approccio 1").
        'nanofaas-test/echo': [process.execPath, echoServer],
        // An image whose process dies at once, without calling back.
        'nanofaas-test/crash': ['/bin/false'],
        // Every other function image is "built FROM the watchdog".
        '*': [watchdogPath],
      },
    });
    await testbed.createNamespace(namespace);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(testbed.kubeconfigPath);
    core = kubeConfig.makeApiClient(CoreV1Api);
    apps = kubeConfig.makeApiClient(AppsV1Api);
    batch = kubeConfig.makeApiClient(BatchV1Api);
    autoscaling = kubeConfig.makeApiClient(AutoscalingV2Api);
    controlPlane = await startControlPlaneOnTestbed(testbed, namespace, {}, waitMs);
  });

  after(async () => {
    await controlPlane?.stop();
    await testbed?.stop({ keepDir: logs.keepDir });
  });

  it('DEPLOYMENT: register answers at once, the spec objects appear, pods get ready, :invoke runs through the watchdog and the Node runtime', async () => {
    await logs.guard(async () => {
      const registered = await call('POST', '/v1/functions', {
        name: 'node-echo',
        image: 'nanofaas/watchdog:latest',
        runtimeMode: 'HTTP',
        runtimeCommand: `${process.execPath} ${runtimeCli} ${runtimeHandler}`,
        env: { GREETING: 'hi' },
        concurrency: 2,
      });
      assert.equal(registered.status, 201, JSON.stringify(registered.json));
      const deployment = await apps.readNamespacedDeployment({ name: 'fn-node-echo', namespace });
      assert.deepEqual(deployment.metadata?.labels, {
        app: 'nanofaas',
        function: 'node-echo',
        'app.kubernetes.io/managed-by': 'nanofaas',
      });
      assert.equal(deployment.spec?.replicas, 1);
      const container = deployment.spec?.template.spec?.containers[0];
      assert.deepEqual(envOf(container), {
        GREETING: 'hi',
        FUNCTION_NAME: 'node-echo',
        WARM: 'true',
        TIMEOUT_MS: '30000',
        EXECUTION_MODE: 'HTTP',
        WATCHDOG_CMD: `${process.execPath} ${runtimeCli} ${runtimeHandler}`,
      });
      assert.equal(container?.readinessProbe?.httpGet?.path, '/health');
      const service = await core.readNamespacedService({ name: 'fn-node-echo', namespace });
      assert.deepEqual(service.spec?.selector, { function: 'node-echo' });
      assert.equal(service.spec?.ports?.[0]?.port, 8080);

      const ready = await readyFunction('node-echo');
      assert.equal(ready.json.status.state, 'ready');
      // The replicas the dashboard lists: each pod by name, with its state and restarts.
      const pod = await waitFor(
        'the ready pod in status.instances',
        async () => {
          const reply = await call('GET', '/v1/functions/node-echo');
          const instances = (reply.json?.status?.instances ?? []) as Array<Record<string, unknown>>;
          return instances.find((instance) => instance.ready === true);
        },
        { timeoutMs: waitMs, intervalMs: 250 },
      );
      assert.match(String(pod.pod), /^fn-node-echo-/);
      assert.equal(pod.state, 'ready');
      assert.equal(pod.restarts, 0);
      const names = (await podsOf('function=node-echo')).map((item) => item.metadata?.name);
      assert.ok(names.includes(String(pod.pod)), `${pod.pod} is one of ${names.join(', ')}`);
      const invoked = await call('POST', '/v1/functions/node-echo:invoke', { input: { echo: { n: 7.0 } } });
      assert.equal(invoked.status, 200, JSON.stringify(invoked.json));
      assert.deepEqual(invoked.json.output.echo, { n: 7 });
      assert.equal(invoked.json.output.attempt, 1);
    });
  });

  it('DEPLOYMENT: STDIO through the watchdog image, and an image that serves /invoke itself', async () => {
    await logs.guard(async () => {
      for (const spec of [
        { name: 'stdio-cat', image: 'nanofaas/watchdog:latest', runtimeMode: 'STDIO', runtimeCommand: 'cat' },
        { name: 'image-only', image: 'nanofaas-test/echo:1.0', env: { PORT: '8080' } },
      ]) {
        const registered = await call('POST', '/v1/functions', spec);
        assert.equal(registered.status, 201, JSON.stringify(registered.json));
      }
      await readyFunction('stdio-cat');
      await readyFunction('image-only');
      const cat = await call('POST', '/v1/functions/stdio-cat:invoke', { input: { words: 3 } });
      assert.equal(cat.status, 200, JSON.stringify(cat.json));
      assert.match(JSON.stringify(cat.json.output), /"words":3/);
      const own = await call('POST', '/v1/functions/image-only:invoke', { input: { echo: 'approach 1' } });
      assert.equal(own.status, 200, JSON.stringify(own.json));
      assert.equal(own.json.output.echo, 'approach 1');
      const env = (await apps.readNamespacedDeployment({ name: 'fn-image-only', namespace })).spec?.template
        .spec?.containers[0];
      assert.equal(envOf(env).WATCHDOG_CMD, undefined, 'no WATCHDOG_CMD without a runtimeCommand');
    });
  });

  it('scales to zero and back: a request at zero replicas activates the function (X-Cold-Start: true); a pin to 0 answers at once', async () => {
    await logs.guard(async () => {
      const registered = await call('POST', '/v1/functions', {
        name: 'from-zero',
        image: 'nanofaas/watchdog:latest',
        runtimeMode: 'STDIO',
        runtimeCommand: 'cat',
        scaling: { minReplicas: 0, maxReplicas: 2, idleTimeoutMs: 1000 },
      });
      assert.equal(registered.status, 201, JSON.stringify(registered.json));
      assert.equal(registered.json.status.state, 'scaled-to-zero');
      assert.equal((await podsOf('function=from-zero')).length, 0);
      const cold = await call('POST', '/v1/functions/from-zero:invoke', { input: 'wake up' });
      assert.equal(cold.status, 200, JSON.stringify(cold.json));
      assert.equal(cold.headers.get('x-cold-start'), 'true');
      // Idle for idleTimeoutMs: back to zero.
      await waitFor(
        'from-zero to scale back to 0',
        async () =>
          (await apps.readNamespacedDeployment({ name: 'fn-from-zero', namespace })).spec?.replicas === 0,
        { timeoutMs: waitMs, intervalMs: 250 },
      );
      const pinned = await call('PUT', '/v1/functions/from-zero/replicas', { replicas: 0 });
      assert.equal(pinned.status, 200, JSON.stringify(pinned.json));
      const refused = await call('POST', '/v1/functions/from-zero:invoke', { input: 'pinned' });
      assert.equal(refused.status, 503, JSON.stringify(refused.json));
      assert.equal(refused.json.error.code, 'FUNCTION_UNAVAILABLE');
      const two = await call('PUT', '/v1/functions/from-zero/replicas', { replicas: 2 });
      assert.equal(two.status, 200, JSON.stringify(two.json));
      await readyFunction('from-zero', 2);
      assert.equal(
        (await apps.readNamespacedDeployment({ name: 'fn-from-zero', namespace })).spec?.replicas,
        2,
      );
    });
  });

  it('REMOTE: one Job per invocation with the spec env and a Secret it owns; the callback completes it', async () => {
    await logs.guard(async () => {
      const registered = await call('POST', '/v1/functions', {
        name: 'remote-cat',
        image: 'nanofaas/watchdog:latest',
        executionMode: 'REMOTE',
        runtimeMode: 'STDIO',
        runtimeCommand: 'cat',
      });
      assert.equal(registered.status, 201, JSON.stringify(registered.json));
      const invoked = await call('POST', '/v1/functions/remote-cat:invoke', { input: { hello: 'job' } });
      assert.equal(invoked.status, 200, JSON.stringify(invoked.json));
      assert.match(JSON.stringify(invoked.json.output), /"hello":"job"/);
      const jobs = (
        await batch.listNamespacedJob({ namespace, labelSelector: 'nanofaas.io/function=remote-cat' })
      ).items;
      assert.equal(jobs.length, 1);
      const job = jobs[0]!;
      assert.match(job.metadata!.name!, /^fn-remote-cat-[0-9a-z]{7}$/);
      assert.equal(job.spec?.backoffLimit, 0);
      assert.equal(job.spec?.template.spec?.restartPolicy, 'Never');
      assert.deepEqual(Object.keys(envOf(job.spec?.template.spec?.containers[0])).sort(), [
        'CALLBACK_TOKEN',
        'CALLBACK_URL',
        'EXECUTION_ID',
        'EXECUTION_MODE',
        'FUNCTION_NAME',
        'INVOCATION_PAYLOAD',
        'TIMEOUT_MS',
        'TRACE_ID',
        'WATCHDOG_CMD',
      ]);
      assert.equal(envOf(job.spec?.template.spec?.containers[0]).EXECUTION_ID, invoked.json.executionId);
      const secret = await core.readNamespacedSecret({ name: job.metadata!.name!, namespace });
      assert.equal(secret.metadata?.ownerReferences?.[0]?.uid, job.metadata?.uid);

      const enqueued = await call('POST', '/v1/functions/remote-cat:enqueue', { input: 'async' });
      assert.equal(enqueued.status, 202);
      const done = await waitFor(
        'the enqueued REMOTE execution to succeed',
        async () => {
          const status = await call('GET', `/v1/executions/${enqueued.json.executionId}`);
          return status.json.status === 'success' ? status.json : undefined;
        },
        { timeoutMs: waitMs, intervalMs: 250 },
      );
      assert.match(JSON.stringify(done.output), /async/);
    });
  });

  it('REMOTE: a Job whose pod dies without calling back is RUN_LOST and retried', async () => {
    await logs.guard(async () => {
      const registered = await call('POST', '/v1/functions', {
        name: 'remote-crash',
        image: 'nanofaas-test/crash:1',
        executionMode: 'REMOTE',
        maxRetries: 1,
        timeoutMs: 60_000,
      });
      assert.equal(registered.status, 201, JSON.stringify(registered.json));
      const invoked = await call('POST', '/v1/functions/remote-crash:invoke', { input: 'doomed' });
      assert.equal(invoked.status, 502, JSON.stringify(invoked.json));
      assert.equal(invoked.json.error.code, 'RUN_LOST');
      const status = await call('GET', `/v1/executions/${invoked.json.executionId}`);
      assert.equal(status.json.attempt, 2, 'one retry after the lost run');
    });
  });

  it('a restart of the control plane adopts its objects: no duplicates, functions keep serving', async () => {
    await logs.guard(async () => {
      const before = (await apps.listNamespacedDeployment({ namespace })).items
        .map((d) => d.metadata?.uid)
        .sort();
      await controlPlane.restart();
      const invoked = await call('POST', '/v1/functions/stdio-cat:invoke', { input: 'after restart' });
      assert.equal(invoked.status, 200, JSON.stringify(invoked.json));
      const afterRestart = (await apps.listNamespacedDeployment({ namespace })).items
        .map((d) => d.metadata?.uid)
        .sort();
      assert.deepEqual(afterRestart, before, 'the same Deployments, adopted, not recreated');
    });
  });

  it('an HPA function gets its HPA; delete removes every object of a function', async () => {
    await logs.guard(async () => {
      const registered = await call('POST', '/v1/functions', {
        name: 'with-hpa',
        image: 'nanofaas/watchdog:latest',
        runtimeMode: 'STDIO',
        runtimeCommand: 'cat',
        scaling: { strategy: 'HPA', minReplicas: 1, maxReplicas: 3 },
      });
      assert.equal(registered.status, 201, JSON.stringify(registered.json));
      const hpa = await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'fn-with-hpa', namespace });
      assert.equal(hpa.spec?.maxReplicas, 3);
      await readyFunction('with-hpa');
      for (const name of ['with-hpa', 'remote-cat']) {
        const deleted = await call('DELETE', `/v1/functions/${name}`);
        assert.equal(deleted.status, 204, JSON.stringify(deleted.json));
      }
      await waitFor(
        'every object of the deleted functions to be gone',
        async () => {
          const [deployments, services, hpas, jobs, secrets, pods] = await Promise.all([
            apps.listNamespacedDeployment({ namespace, labelSelector: 'function=with-hpa' }),
            core.listNamespacedService({ namespace, labelSelector: 'function=with-hpa' }),
            autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace }),
            batch.listNamespacedJob({ namespace, labelSelector: 'nanofaas.io/function=remote-cat' }),
            core.listNamespacedSecret({ namespace, labelSelector: 'nanofaas.io/function=remote-cat' }),
            core.listNamespacedPod({ namespace, labelSelector: 'function=with-hpa' }),
          ]);
          const left =
            deployments.items.length +
            services.items.length +
            hpas.items.filter((h) => h.metadata?.name === 'fn-with-hpa').length +
            jobs.items.length +
            secrets.items.length +
            pods.items.length;
          return left === 0;
        },
        { timeoutMs: waitMs, intervalMs: 500 },
      );
    });
  });
});
