// POOL functions (an `endpointUrl` that already serves HTTP) on the Kubernetes backend, against the
// test bed: served beside DEPLOYMENT and REMOTE functions through :invoke and :enqueue, with no
// object in the cluster — none created, and reconciliation neither adopts nor keeps any for them —
// and the backend conformance suite's POOL cases.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { resolveFunctionSpec } from '@nanofaas/contracts';
import pino from 'pino';
import { KubernetesBackend } from '../../../packages/control-plane/src/backends/kubernetes/kubernetes-backend.js';
import { EnvReader } from '../../../packages/control-plane/src/config/env-reader.js';
import { loadKubernetesBackendConfig } from '../../../packages/control-plane/src/config/kubernetes-backend-config.js';
import { systemClock } from '../../../packages/control-plane/src/deps/clock.js';
import { describeBackendConformance } from '../../../packages/control-plane/test/backend-conformance.js';
import {
  type EchoProcess,
  startEchoProcess,
} from '../../../packages/control-plane/test/fixtures/echo-process.js';
import { startTestbed, type Testbed } from '../src/index.js';
import { waitFor } from '../src/wait-for.js';
import { type ControlPlaneOnTestbed, startControlPlaneOnTestbed } from './control-plane-on-testbed.js';
import { FailureLogs } from './failure-logs.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const watchdogPath = process.env.NANOFAAS_WATCHDOG_BIN ?? join(repo, 'watchdog/dist/watchdog');
const waitMs = 120_000;
const managed = 'app.kubernetes.io/managed-by=nanofaas';

let testbedStarting: Promise<Testbed> | undefined;
let startedBed: Testbed | undefined;
const logs = new FailureLogs(() => startedBed);
/** One test bed for the file (both describes), started on first use. */
function testbed(): Promise<Testbed> {
  testbedStarting ??= startTestbed({
    onProgress: () => undefined,
    imageEntrypoints: { '*': [watchdogPath] },
  }).then((bed) => {
    startedBed = bed;
    return bed;
  });
  return testbedStarting;
}
after(async () => {
  const bed = await testbedStarting?.catch(() => undefined);
  await bed?.stop({ keepDir: logs.keepDir });
});

function clients(bed: Testbed) {
  const config = new KubeConfig();
  config.loadFromFile(bed.kubeconfigPath);
  return {
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    batch: config.makeApiClient(BatchV1Api),
  };
}

/** Every object of ours in the namespace, as `Kind/name`. */
async function ourObjects(bed: Testbed, namespace: string): Promise<string[]> {
  const { core, apps, batch } = clients(bed);
  const [deployments, services, jobs, secrets, pods] = await Promise.all([
    apps.listNamespacedDeployment({ namespace, labelSelector: managed }),
    core.listNamespacedService({ namespace, labelSelector: managed }),
    batch.listNamespacedJob({ namespace, labelSelector: managed }),
    core.listNamespacedSecret({ namespace, labelSelector: managed }),
    core.listNamespacedPod({ namespace }),
  ]);
  return [
    ...deployments.items.map((o) => `Deployment/${o.metadata?.name}`),
    ...services.items.map((o) => `Service/${o.metadata?.name}`),
    ...jobs.items.map((o) => `Job/${o.metadata?.name}`),
    ...secrets.items.map((o) => `Secret/${o.metadata?.name}`),
    ...pods.items.map((o) => `Pod/${o.metadata?.name}`),
  ].sort();
}

describe('POOL functions on the kubernetes backend', { timeout: 15 * 60_000 }, () => {
  const namespace = 'pool-functions';
  let bed: Testbed;
  let echo: EchoProcess;
  let cp: ControlPlaneOnTestbed;

  before(async () => {
    bed = await testbed();
    await bed.createNamespace(namespace);
    echo = await startEchoProcess();
    cp = await startControlPlaneOnTestbed(bed, namespace, {
      // Reconciliation runs often, so the tests below see several rounds of it.
      NANOFAAS_RECONCILE_INTERVAL_MS: '300',
    });
  });
  after(async () => {
    await cp?.stop();
    await echo?.stop();
  });

  async function succeeded(executionId: string) {
    return waitFor(
      `execution ${executionId} to succeed`,
      async () => {
        const status = await cp.call('GET', `/v1/executions/${executionId}`);
        if (status.json?.status === 'error') throw new Error(JSON.stringify(status.json));
        return status.json?.status === 'success' ? status.json : undefined;
      },
      { timeoutMs: waitMs, intervalMs: 200 },
    );
  }

  it('a spec with only endpointUrl is POOL and is served beside DEPLOYMENT and REMOTE, sync and async, with no object in the cluster', async () => {
    await logs.guard(async () => {
      const pool = await cp.call('POST', '/v1/functions', { name: 'pool-echo', endpointUrl: echo.url });
      assert.equal(pool.status, 201, pool.text);
      assert.equal(pool.json.effectiveExecutionMode, 'POOL');
      assert.equal(pool.json.status.state, 'ready');
      assert.match(pool.json.status.message, /pool endpoint http:\/\/127\.0\.0\.1:/);
      for (const spec of [
        {
          name: 'deploy-cat',
          image: 'nanofaas/watchdog:latest',
          runtimeMode: 'STDIO',
          runtimeCommand: 'cat',
        },
        {
          name: 'remote-cat',
          image: 'nanofaas/watchdog:latest',
          executionMode: 'REMOTE',
          runtimeMode: 'STDIO',
          runtimeCommand: 'cat',
        },
      ]) {
        const registered = await cp.call('POST', '/v1/functions', spec);
        assert.equal(registered.status, 201, registered.text);
      }

      const viaPool = await cp.call('POST', '/v1/functions/pool-echo:invoke', { input: { echo: 'pool' } });
      assert.equal(viaPool.status, 200, viaPool.text);
      assert.equal(viaPool.json.output.echo, 'pool');
      assert.equal(
        viaPool.json.output.executionId,
        viaPool.json.executionId,
        'the dispatch headers reach it',
      );
      const viaDeployment = await cp.call('POST', '/v1/functions/deploy-cat:invoke', { input: 'deployment' });
      assert.equal(viaDeployment.status, 200, viaDeployment.text);
      assert.match(viaDeployment.text, /"deployment"/);
      const viaJob = await cp.call('POST', '/v1/functions/remote-cat:invoke', { input: 'remote' });
      assert.equal(viaJob.status, 200, viaJob.text);
      assert.match(viaJob.text, /"remote"/);

      const queued = [];
      for (const name of ['pool-echo', 'deploy-cat', 'remote-cat']) {
        const enqueued = await cp.call('POST', `/v1/functions/${name}:enqueue`, {
          input: { echo: `async ${name}` },
        });
        assert.equal(enqueued.status, 202, enqueued.text);
        queued.push(enqueued.json.executionId as string);
      }
      for (const [index, id] of queued.entries()) {
        const done = await succeeded(id);
        assert.match(JSON.stringify(done.output), /async (pool-echo|deploy-cat|remote-cat)/, `#${index}`);
      }

      const objects = await ourObjects(bed, namespace);
      assert.deepEqual(
        objects.filter((name) => name.includes('pool-echo')),
        [],
        `the POOL function has objects: ${objects.join(', ')}`,
      );
      assert.ok(objects.includes('Deployment/fn-deploy-cat'), objects.join(', '));
    });
  });

  it('reconciliation gives a POOL function no object and keeps none for it, also after a restart', async () => {
    await logs.guard(async () => {
      const { core, apps } = clients(bed);
      const before = (await apps.readNamespacedDeployment({ name: 'fn-deploy-cat', namespace })).metadata
        ?.uid;
      // An object of ours under the POOL function's name (as if left by an earlier incarnation):
      // reconciliation removes it, since a POOL function owns nothing in the cluster.
      await core.createNamespacedService({
        namespace,
        body: {
          metadata: {
            name: 'fn-pool-echo',
            labels: { app: 'nanofaas', function: 'pool-echo', 'app.kubernetes.io/managed-by': 'nanofaas' },
          },
          spec: { selector: { function: 'pool-echo' }, ports: [{ name: 'http', port: 8080 }] },
        },
      });
      await waitFor(
        'reconciliation to delete the stray Service fn-pool-echo',
        async () => !(await ourObjects(bed, namespace)).includes('Service/fn-pool-echo'),
        { timeoutMs: waitMs, intervalMs: 200 },
      );

      await cp.restart();
      const invoked = await cp.call('POST', '/v1/functions/pool-echo:invoke', { input: { echo: 'again' } });
      assert.equal(invoked.status, 200, invoked.text);
      assert.equal(invoked.json.output.echo, 'again');
      const described = await cp.call('GET', '/v1/functions/pool-echo');
      assert.equal(described.json.status.state, 'ready', described.text);
      const objects = await ourObjects(bed, namespace);
      assert.deepEqual(
        objects.filter((name) => name.includes('pool-echo')),
        [],
        objects.join(', '),
      );
      const afterRestart = (await apps.readNamespacedDeployment({ name: 'fn-deploy-cat', namespace }))
        .metadata?.uid;
      assert.equal(afterRestart, before, 'the DEPLOYMENT function was adopted, not recreated');
    });
  });

  it('a DEPLOYMENT function updated to POOL loses its Deployment and Service and is served by its endpoint; back to DEPLOYMENT gets them again', async () => {
    await logs.guard(async () => {
      const updated = await cp.call('PUT', '/v1/functions/deploy-cat', {
        name: 'deploy-cat',
        endpointUrl: echo.url,
      });
      assert.equal(updated.status, 200, updated.text);
      assert.equal(updated.json.effectiveExecutionMode, 'POOL');
      await waitFor(
        'the Deployment and Service of deploy-cat to go',
        async () => (await ourObjects(bed, namespace)).every((name) => !name.includes('deploy-cat')),
        { timeoutMs: waitMs, intervalMs: 200 },
      );
      const invoked = await cp.call('POST', '/v1/functions/deploy-cat:invoke', {
        input: { echo: 'endpoint' },
      });
      assert.equal(invoked.status, 200, invoked.text);
      assert.equal(invoked.json.output.echo, 'endpoint', 'answered by the POOL endpoint');

      const back = await cp.call('PUT', '/v1/functions/deploy-cat', {
        name: 'deploy-cat',
        image: 'nanofaas/watchdog:latest',
        runtimeMode: 'STDIO',
        runtimeCommand: 'cat',
      });
      assert.equal(back.status, 200, back.text);
      const cat = await cp.call('POST', '/v1/functions/deploy-cat:invoke', { input: 'a pod again' });
      assert.equal(cat.status, 200, cat.text);
      assert.match(cat.text, /"a pod again"/);
      assert.ok((await ourObjects(bed, namespace)).includes('Deployment/fn-deploy-cat'));
    });
  });

  it('an endpointUrl that cannot be called is a 400 naming the field, and nothing is stored', async () => {
    await logs.guard(async () => {
      for (const endpointUrl of ['http://[', 'ftp://example.test/invoke', 'http://user:pw@example.test/']) {
        const refused = await cp.call('POST', '/v1/functions', { name: 'bad-endpoint', endpointUrl });
        assert.equal(refused.status, 400, refused.text);
        assert.match(refused.text, /endpointUrl/);
      }
      assert.equal((await cp.call('GET', '/v1/functions/bad-endpoint')).status, 404);
    });
  });
});

// The suite's POOL cases (runsInstances false: the backend starts nothing for these functions).
describeBackendConformance(
  'kubernetes',
  async () => {
    const bed = await testbed();
    const namespace = 'pool-conformance';
    await bed.createNamespace(namespace);
    const echo = await startEchoProcess();
    const config = loadKubernetesBackendConfig(
      new EnvReader({ KUBECONFIG: bed.kubeconfigPath, NANOFAAS_K8S_NAMESPACE: namespace }),
    );
    const logger = pino({ level: process.env.NANOFAAS_LOG_LEVEL ?? 'silent' });
    return {
      createBackend: () => new KubernetesBackend({ config, clock: systemClock, logger }),
      async echoFunction(options) {
        const spec = resolveFunctionSpec({
          name: options.name,
          endpointUrl: echo.url,
          concurrency: options.concurrency,
          timeoutMs: options.timeoutMs,
          executionMode: 'POOL',
          scaling: { minReplicas: options.minReplicas ?? 1, maxReplicas: options.maxReplicas },
        });
        return { spec, revision: 1 };
      },
      async cleanup() {
        await echo.stop();
        const left = await ourObjects(bed, namespace);
        assert.deepEqual(left, [], 'POOL functions made objects in the cluster');
      },
    };
  },
  { modes: ['POOL'], runsInstances: false, timeoutMs: 300_000 },
);
