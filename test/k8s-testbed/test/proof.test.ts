// The test bed's proof: real Kubernetes controllers drive pods that run the real watchdog as local
// processes. Slow by nature (a control plane starts, controllers react); timeouts are generous.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Container,
  type V1Job,
  type V1Pod,
} from '@kubernetes/client-node';
import { startTestbed, type Testbed } from '../src/index.js';
import { waitFor } from '../src/wait-for.js';
import { FailureLogs } from './failure-logs.js';

const namespace = 'proof';
const echoRuntime = fileURLToPath(new URL('fixtures/echo-runtime.mjs', import.meta.url));
const watchdogPath =
  process.env.NANOFAAS_WATCHDOG_BIN ??
  fileURLToPath(new URL('../../../watchdog/dist/watchdog', import.meta.url));
const waitMs = 120_000;

let testbed: Testbed;
let core: CoreV1Api;
let apps: AppsV1Api;
let batch: BatchV1Api;
let discovery: DiscoveryV1Api;
const logs = new FailureLogs(() => testbed);

/** A container without a command: the agent runs the image's entrypoint, the watchdog (README). */
function watchdogContainer(env: Record<string, string>, image = 'nanofaas/watchdog:latest'): V1Container {
  return {
    name: 'fn',
    image,
    env: Object.entries(env).map(([name, value]) => ({ name, value })),
  };
}

async function podsOf(selector: string): Promise<V1Pod[]> {
  return (await core.listNamespacedPod({ namespace, labelSelector: selector })).items;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function postInvoke(url: string, input: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input }),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: await response.json() };
}

async function jobCondition(name: string): Promise<{ type: string; reason?: string } | undefined> {
  const job = await batch.readNamespacedJob({ name, namespace });
  return job.status?.conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
}

function oneShotJob(name: string, env: Record<string, string>): V1Job {
  return {
    metadata: { name },
    spec: {
      backoffLimit: 0,
      template: { spec: { restartPolicy: 'Never', containers: [watchdogContainer(env)] } },
    },
  };
}

describe('kubernetes test bed', { timeout: 15 * 60_000 }, () => {
  before(async () => {
    const started = Date.now();
    testbed = await startTestbed({
      onProgress: (line) => console.log(`# ${line}`),
      // A function image "built FROM the watchdog": its entrypoint is the watchdog binary.
      imageEntrypoints: { 'nanofaas-fn/echo': [watchdogPath] },
    });
    console.log(`# test bed started in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    await testbed.createNamespace(namespace);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(testbed.kubeconfigPath);
    core = kubeConfig.makeApiClient(CoreV1Api);
    apps = kubeConfig.makeApiClient(AppsV1Api);
    batch = kubeConfig.makeApiClient(BatchV1Api);
    discovery = kubeConfig.makeApiClient(DiscoveryV1Api);
  });

  after(async () => {
    await testbed?.stop({ keepDir: logs.keepDir });
  });

  it('serves a Deployment of watchdog pods through its Service EndpointSlice, then scales to zero', async () => {
    await logs.guard(async () => {
      assert.equal(
        testbed.network.kind,
        'bridge',
        'EndpointSlices need pod network namespaces (README: Limits)',
      );
      await apps.createNamespacedDeployment({
        namespace,
        body: {
          metadata: { name: 'echo', labels: { app: 'echo' } },
          spec: {
            replicas: 2,
            selector: { matchLabels: { app: 'echo' } },
            template: {
              metadata: { labels: { app: 'echo' } },
              spec: {
                terminationGracePeriodSeconds: 5,
                containers: [
                  {
                    // HTTP mode: each watchdog starts the runtime on 127.0.0.1:8081 of its own pod.
                    ...watchdogContainer(
                      {
                        WARM: 'true',
                        PORT: '8080',
                        EXECUTION_MODE: 'HTTP',
                        WATCHDOG_CMD: `node '${echoRuntime}'`,
                      },
                      'registry.example/nanofaas-fn/echo:1.0',
                    ),
                    ports: [{ name: 'http', containerPort: 8080 }],
                    readinessProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 1 },
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
          metadata: { name: 'echo' },
          spec: { selector: { app: 'echo' }, ports: [{ name: 'http', port: 8080, targetPort: 'http' }] },
        },
      });

      const addresses = await waitFor(
        'the echo EndpointSlice to list 2 ready endpoints',
        async () => {
          const slices = await discovery.listNamespacedEndpointSlice({
            namespace,
            labelSelector: 'kubernetes.io/service-name=echo',
          });
          const ready = slices.items.flatMap((slice) =>
            (slice.endpoints ?? []).filter((e) => e.conditions?.ready).flatMap((e) => e.addresses),
          );
          return ready.length === 2 ? ready : undefined;
        },
        { timeoutMs: waitMs, intervalMs: 500 },
      );
      const deployment = await waitFor(
        'the echo Deployment to report 2 available replicas',
        async () => {
          const current = await apps.readNamespacedDeployment({ name: 'echo', namespace });
          return current.status?.availableReplicas === 2 ? current : undefined;
        },
        { timeoutMs: waitMs, intervalMs: 500 },
      );
      assert.ok(
        deployment.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True'),
        'the Deployment controller sees the agent’s Ready pods as available',
      );
      const podIPs = (await podsOf('app=echo')).map((pod) => pod.status?.podIP).sort();
      assert.deepEqual([...addresses].sort(), podIPs, 'the endpoints are the pods’ own addresses');

      for (const address of addresses) {
        const answer = await postInvoke(`http://${address}:8080/invoke`, { hello: address });
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        assert.match(JSON.stringify(answer.body), new RegExp(`"hello":"${address.replaceAll('.', '\\.')}"`));
        assert.match(JSON.stringify(answer.body), /"pid":\d+/, 'the runtime behind the watchdog answered');
      }

      const pods = await podsOf('app=echo');
      const pids = pods.map((pod) =>
        Number(readFileSync(testbed.podPidPath(namespace, pod.metadata!.name!, 'fn'), 'utf8')),
      );
      assert.ok(pids.every(processAlive), 'each pod is a running local process');

      await apps.patchNamespacedDeploymentScale(
        { name: 'echo', namespace, body: [{ op: 'replace', path: '/spec/replicas', value: 0 }] },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      );
      await waitFor('the echo pods to be deleted', async () => (await podsOf('app=echo')).length === 0, {
        timeoutMs: waitMs,
        intervalMs: 500,
      });
      assert.deepEqual(pids.filter(processAlive), [], 'no pod process is left after scaling to zero');
      await waitFor(
        'the echo EndpointSlice to be empty',
        async () => {
          const slices = await discovery.listNamespacedEndpointSlice({
            namespace,
            labelSelector: 'kubernetes.io/service-name=echo',
          });
          return slices.items.every((slice) => (slice.endpoints ?? []).length === 0);
        },
        { timeoutMs: waitMs, intervalMs: 500 },
      );
    });
  });

  it('runs a one-shot watchdog Job to Complete with the result on the pod output', async () => {
    await logs.guard(async () => {
      await batch.createNamespacedJob({
        namespace,
        body: oneShotJob('oneshot-ok', {
          EXECUTION_MODE: 'STDIO',
          WATCHDOG_CMD: 'cat',
          INVOCATION_PAYLOAD: JSON.stringify({ input: { answer: 42 } }),
        }),
      });
      const condition = await waitFor('job oneshot-ok to finish', () => jobCondition('oneshot-ok'), {
        timeoutMs: waitMs,
        intervalMs: 500,
      });
      assert.equal(condition.type, 'Complete');
      const [pod] = await podsOf('job-name=oneshot-ok');
      assert.equal(pod?.status?.phase, 'Succeeded');
      assert.equal(pod?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 0);
      const output = readFileSync(testbed.podLogPath(namespace, pod!.metadata!.name!, 'fn'), 'utf8');
      assert.match(output, /"answer":42/);
    });
  });

  it('lets a Job pod call back to a server on the host address (the REMOTE execution path)', async () => {
    await logs.guard(async () => {
      const received: { url: string; body: string }[] = [];
      const server = createServer((req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (chunk: string) => {
          body += chunk;
        });
        req.on('end', () => {
          received.push({ url: req.url ?? '', body });
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, testbed.network.hostIP, resolve));
      try {
        const { port } = server.address() as AddressInfo;
        await batch.createNamespacedJob({
          namespace,
          body: oneShotJob('oneshot-callback', {
            EXECUTION_MODE: 'STDIO',
            WATCHDOG_CMD: 'cat',
            EXECUTION_ID: 'exec-1',
            CALLBACK_URL: `http://${testbed.network.hostIP}:${port}/v1/internal/executions`,
            INVOCATION_PAYLOAD: JSON.stringify({ input: 'called back' }),
          }),
        });
        await waitFor('the completion callback', async () => received.length > 0, {
          timeoutMs: waitMs,
          intervalMs: 200,
        });
        assert.equal(received[0]?.url, '/v1/internal/executions/exec-1:complete');
        assert.match(received[0]?.body ?? '', /"success":true/);
        assert.match(received[0]?.body ?? '', /called back/);
      } finally {
        server.close();
      }
    });
  });

  it('marks a Job whose function fails as Failed, with the exit code on the pod', async () => {
    await logs.guard(async () => {
      await batch.createNamespacedJob({
        namespace,
        body: oneShotJob('oneshot-fail', {
          EXECUTION_MODE: 'STDIO',
          WATCHDOG_CMD: 'sh -c "exit 3"',
          INVOCATION_PAYLOAD: JSON.stringify({ input: 1 }),
        }),
      });
      const condition = await waitFor('job oneshot-fail to finish', () => jobCondition('oneshot-fail'), {
        timeoutMs: waitMs,
        intervalMs: 500,
      });
      assert.equal(condition.type, 'Failed');
      assert.equal(condition.reason, 'BackoffLimitExceeded');
      const [pod] = await podsOf('job-name=oneshot-fail');
      assert.equal(pod?.status?.phase, 'Failed');
      assert.notEqual(pod?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 0);
    });
  });

  it('gives each pod its own /tmp', async () => {
    await logs.guard(async () => {
      const names = ['tmp-a', 'tmp-b'];
      for (const name of names) {
        await core.createNamespacedPod({
          namespace,
          body: {
            metadata: { name },
            spec: {
              restartPolicy: 'Never',
              containers: [
                {
                  name: 'main',
                  image: 'busybox',
                  command: ['sh', '-c', 'echo "$HOSTNAME" > /tmp/who && sleep 1 && cat /tmp/who'],
                },
              ],
            },
          },
        });
      }
      for (const name of names) {
        await waitFor(
          `${name} to succeed`,
          async () => (await core.readNamespacedPod({ name, namespace })).status?.phase === 'Succeeded',
          { timeoutMs: waitMs, intervalMs: 300 },
        );
        assert.equal(readFileSync(testbed.podLogPath(namespace, name, 'main'), 'utf8').trim(), name);
      }
      assert.equal(existsSync('/tmp/who'), false, 'nothing was written to the host /tmp');
    });
  });

  it('restarts a crashing container (restartPolicy Always) and counts the restarts', async () => {
    await logs.guard(async () => {
      await core.createNamespacedPod({
        namespace,
        body: {
          metadata: { name: 'crasher' },
          spec: {
            containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo up; exit 7'] }],
          },
        },
      });
      const status = await waitFor(
        'crasher to be restarted',
        async () => {
          const pod = await core.readNamespacedPod({ name: 'crasher', namespace });
          const container = pod.status?.containerStatuses?.[0];
          return (container?.restartCount ?? 0) >= 1 ? container : undefined;
        },
        { timeoutMs: waitMs, intervalMs: 300 },
      );
      assert.equal(status?.lastState?.terminated?.exitCode, 7);
      await core.deleteNamespacedPod({ name: 'crasher', namespace, gracePeriodSeconds: 0 });
    });
  });

  it('kills and restarts a container whose liveness probe fails', async () => {
    await logs.guard(async () => {
      await core.createNamespacedPod({
        namespace,
        body: {
          metadata: { name: 'unhealthy' },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [
              {
                name: 'main',
                image: 'busybox',
                command: ['sleep', '600'],
                livenessProbe: { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 2 },
              },
            ],
          },
        },
      });
      await waitFor(
        'unhealthy to be restarted by its liveness probe',
        async () => {
          const pod = await core.readNamespacedPod({ name: 'unhealthy', namespace });
          return (pod.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1;
        },
        { timeoutMs: waitMs, intervalMs: 300 },
      );
      const events = await core.listNamespacedEvent({
        namespace,
        fieldSelector: 'involvedObject.name=unhealthy,reason=Unhealthy',
      });
      assert.ok(
        events.items.some((e) => e.message?.startsWith('Liveness probe failed')),
        'an Unhealthy event explains the restart',
      );
      await core.deleteNamespacedPod({ name: 'unhealthy', namespace, gracePeriodSeconds: 0 });
    });
  });

  it('fails a pod that outlives activeDeadlineSeconds, and kills a SIGTERM-deaf pod after its grace period', async () => {
    await logs.guard(async () => {
      await core.createNamespacedPod({
        namespace,
        body: {
          metadata: { name: 'deadline' },
          spec: {
            activeDeadlineSeconds: 2,
            restartPolicy: 'Never',
            containers: [{ name: 'main', image: 'busybox', command: ['sleep', '600'] }],
          },
        },
      });
      await core.createNamespacedPod({
        namespace,
        body: {
          metadata: { name: 'stubborn' },
          spec: {
            terminationGracePeriodSeconds: 2,
            containers: [
              {
                name: 'main',
                image: 'busybox',
                command: ['sh', '-c', 'trap "" TERM; while :; do sleep 1; done'],
              },
            ],
          },
        },
      });
      const failedPod = await waitFor(
        'deadline to fail',
        async () => {
          const pod = await core.readNamespacedPod({ name: 'deadline', namespace });
          return pod.status?.phase === 'Failed' ? pod : undefined;
        },
        { timeoutMs: waitMs, intervalMs: 300 },
      );
      assert.equal(failedPod.status?.reason, 'DeadlineExceeded');

      const pidPath = testbed.podPidPath(namespace, 'stubborn', 'main');
      await waitFor('stubborn to run', async () => existsSync(pidPath), { timeoutMs: waitMs });
      const pid = Number(readFileSync(pidPath, 'utf8'));
      const deleted = Date.now();
      await core.deleteNamespacedPod({ name: 'stubborn', namespace });
      await waitFor(
        'stubborn to be gone',
        async () => {
          try {
            await core.readNamespacedPod({ name: 'stubborn', namespace });
            return false;
          } catch (error) {
            return (error as { code?: number }).code === 404;
          }
        },
        { timeoutMs: waitMs, intervalMs: 300 },
      );
      assert.ok(Date.now() - deleted >= 1500, 'the grace period was honoured before SIGKILL');
      assert.equal(processAlive(pid), false);
    });
  });

  it('answers the real API server’s validation errors and works with plain kubectl (get, logs)', async () => {
    await logs.guard(async () => {
      await assert.rejects(
        core.createNamespacedPod({
          namespace,
          body: { metadata: { name: 'Not_A_Valid_Name' }, spec: { containers: [{ name: 'c', image: 'x' }] } },
        }),
        (error: { code?: number }) => error.code === 422,
      );
      const kubectl = spawnSync(testbed.binaries.kubectl, ['get', 'nodes', '-o', 'name'], {
        env: { ...process.env, KUBECONFIG: testbed.kubeconfigPath },
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(kubectl.status, 0, kubectl.stderr);
      assert.equal(kubectl.stdout.trim(), `node/${testbed.nodeName}`);
      if (testbed.network.kind === 'bridge') {
        // kube-apiserver fetches the output from the agent's kubelet endpoint.
        const logs = spawnSync(testbed.binaries.kubectl, ['logs', '-n', namespace, 'job/oneshot-ok'], {
          env: { ...process.env, KUBECONFIG: testbed.kubeconfigPath },
          encoding: 'utf8',
          timeout: 60_000,
        });
        assert.equal(logs.status, 0, logs.stderr);
        assert.match(logs.stdout, /"answer":42/);
      }
    });
  });

  it('stops without leaving a process or network namespace behind', async () => {
    const pids = testbed.processIds();
    assert.equal(pids.filter(processAlive).length, 4, 'etcd, API server, controller manager and agent run');
    await testbed.stop({ keepDir: logs.keepDir });
    assert.deepEqual(pids.filter(processAlive), [], 'no component is left');
    const left = spawnSync('pgrep', ['-f', testbed.dir], { encoding: 'utf8' }).stdout.trim();
    assert.equal(left, '', 'no process started from the test bed directory is left');
    if (testbed.network.bridge) {
      const namespaces = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
      assert.doesNotMatch(
        namespaces,
        new RegExp(`^${testbed.network.bridge}-pod-`, 'm'),
        'no pod namespace is left',
      );
      const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout;
      assert.doesNotMatch(
        links,
        new RegExp(`: ${testbed.network.bridge}[:@h]`),
        'the bridge and veths are gone',
      );
    }
  });
});
