// The chart installed for real: helm (built from its Go module) installs, upgrades and uninstalls
// deploy/helm/nanofaas on the test bed. The node agent runs the image nanofaas/control-plane as this
// checkout's control plane, inside the cluster: its ServiceAccount's token, CA and namespace where
// in-cluster clients read them, the `kubernetes` Service reachable from the pod. The real API server
// enforces the chart's Role. No kube-proxy: the test reaches the control plane by its pod IP.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
  type V1Pod,
} from '@kubernetes/client-node';
import { ensureHelm, startTestbed, type Testbed } from '../src/index.js';
import { waitFor } from '../src/wait-for.js';
import {
  type CommandResult,
  chartDir,
  renderChartText,
  repositoryRoot,
  run,
  valueVariants,
  writeValues,
} from './chart.js';
import { FailureLogs } from './failure-logs.js';

const release = 'nanofaas';
const releaseNamespace = 'nanofaas';
const functionsNamespace = 'nanofaas-fn';
const serviceAccount = `system:serviceaccount:${releaseNamespace}:nanofaas`;
const probeScript = fileURLToPath(new URL('fixtures/in-cluster-probe.mjs', import.meta.url));
const hasKubernetesBackend = existsSync(
  join(repositoryRoot, 'packages', 'control-plane', 'src', 'backends', 'kubernetes'),
);
const waitMs = 180_000;

let testbed: Testbed;
let helm: string;
let helmEnv: NodeJS.ProcessEnv;
let core: CoreV1Api;
let apps: AppsV1Api;
let rbac: RbacAuthorizationV1Api;
const logs = new FailureLogs(() => testbed);

async function helmRun(args: string[]): Promise<CommandResult> {
  const result = await run(helm, args, { env: helmEnv });
  assert.equal(result.code, 0, `helm ${args.join(' ')}:\n${result.stdout}${result.stderr}`);
  return result;
}

/** The values the installs use: the checkout's control plane as `nanofaas/control-plane:test`. */
const installValues = {
  image: { tag: 'test' },
  // Until the Kubernetes backend is in this checkout, the control plane runs the pool backend: the
  // install, its RBAC and the in-cluster config are tested all the same.
  backend: hasKubernetesBackend ? 'kubernetes' : 'pool',
  functions: { namespace: functionsNamespace, createNamespace: true },
  // No cluster DNS on the test bed: Job pods call back to the control plane's pod IP.
  kubernetes: { callbackUrl: 'http://$(POD_IP):8080/v1/internal/executions' },
  readinessProbe: { initialDelaySeconds: 0, periodSeconds: 1 },
};

async function controlPlanePods(): Promise<V1Pod[]> {
  const list = await core.listNamespacedPod({
    namespace: releaseNamespace,
    labelSelector: `app.kubernetes.io/name=nanofaas,app.kubernetes.io/instance=${release}`,
  });
  return list.items.filter((pod) => !pod.metadata?.deletionTimestamp);
}

/** Waits for the one control plane pod to be Ready (optionally: another one than `notUid`). */
async function readyControlPlane(notUid?: string): Promise<V1Pod> {
  try {
    return await waitFor(
      'the control plane pod Ready',
      async () => {
        const pods = await controlPlanePods();
        const ready = pods.find(
          (pod) =>
            pod.metadata?.uid !== notUid &&
            pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        );
        return ready?.status?.podIP ? ready : undefined;
      },
      { timeoutMs: waitMs, intervalMs: 500 },
    );
  } catch (error) {
    const pods = await controlPlanePods().catch(() => []);
    const states = pods.map((pod) => JSON.stringify(pod.status?.containerStatuses?.[0]?.state ?? pod.status));
    const logs = pods.map((pod) => {
      const path = testbed.podLogPath(releaseNamespace, pod.metadata!.name!, 'control-plane');
      return existsSync(path) ? readFileSync(path, 'utf8').slice(-3000) : '(no log)';
    });
    throw new Error(`${(error as Error).message}\npods: ${states.join('\n')}\nlogs:\n${logs.join('\n')}`);
  }
}

async function apiKey(): Promise<string> {
  const secret = await core.readNamespacedSecret({ name: 'nanofaas-api-keys', namespace: releaseNamespace });
  const keys = Buffer.from(secret.data!['api-keys']!, 'base64').toString('utf8');
  return keys.split(',')[0]!.split(':')[0]!;
}

async function call(
  pod: V1Pod,
  method: string,
  path: string,
  options: { key?: string; body?: unknown } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`http://${pod.status!.podIP}:8080${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: response.status, body };
}

before(async () => {
  testbed = await startTestbed();
  helm = await ensureHelm();
  const helmHome = join(testbed.dir, 'helm');
  helmEnv = {
    ...process.env,
    KUBECONFIG: testbed.kubeconfigPath,
    HELM_CONFIG_HOME: join(helmHome, 'config'),
    HELM_CACHE_HOME: join(helmHome, 'cache'),
    HELM_DATA_HOME: join(helmHome, 'data'),
  };
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(testbed.kubeconfigPath);
  core = kubeConfig.makeApiClient(CoreV1Api);
  apps = kubeConfig.makeApiClient(AppsV1Api);
  rbac = kubeConfig.makeApiClient(RbacAuthorizationV1Api);
});

after(async () => {
  await testbed?.stop({ keepDir: logs.keepDir });
});

describe('the chart on the test bed', { concurrency: false }, () => {
  it('the API server accepts every rendered value set (server-side dry run)', () =>
    logs.guard(async () => {
      await testbed.createNamespace('dry-run');
      await testbed.createNamespace('dry-run-fn');
      for (const [name, values] of Object.entries(valueVariants)) {
        const functions = (values.functions ?? {}) as Record<string, unknown>;
        const manifest = await renderChartText(helm, {
          namespace: 'dry-run',
          values: {
            ...values,
            functions: functions.namespace ? { ...functions, namespace: 'dry-run-fn' } : functions,
          },
        });
        const result = await run(
          testbed.binaries.kubectl,
          ['--kubeconfig', testbed.kubeconfigPath, 'apply', '--dry-run=server', '-f', '-'],
          { input: manifest },
        );
        assert.equal(
          result.code,
          0,
          `${name}: kubectl apply --dry-run=server:\n${result.stdout}${result.stderr}`,
        );
        assert.match(result.stdout, /deployment\.apps\/\S+ created \(server dry run\)/, name);
      }
    }));

  it('installs: the control plane pod becomes Ready inside the cluster and answers on its pod IP', () =>
    logs.guard(async () => {
      // The claim binds to this static volume (the test bed has no provisioner); the agent mounts it.
      const volumeDir = join(testbed.dir, 'volumes', 'nanofaas-data');
      mkdirSync(volumeDir, { recursive: true });
      await core.createPersistentVolume({
        body: {
          metadata: { name: 'nanofaas-data' },
          spec: {
            capacity: { storage: '1Gi' },
            accessModes: ['ReadWriteOnce'],
            persistentVolumeReclaimPolicy: 'Retain',
            hostPath: { path: volumeDir, type: 'DirectoryOrCreate' },
          },
        },
      });
      const values = writeValues(installValues);
      try {
        const install = await helmRun([
          'install',
          release,
          chartDir,
          '--namespace',
          releaseNamespace,
          '--create-namespace',
          '--values',
          values.path,
        ]);
        assert.match(install.stdout, /STATUS: deployed/);
      } finally {
        values.cleanup();
      }
      const pod = await readyControlPlane();
      const log = readFileSync(
        testbed.podLogPath(releaseNamespace, pod.metadata!.name!, 'control-plane'),
        'utf8',
      );
      assert.match(
        log,
        new RegExp(`control plane listening on \\S+:8080 \\(backend: ${installValues.backend}\\)`),
      );
      assert.equal((await call(pod, 'GET', '/readyz')).status, 200);
      assert.equal((await call(pod, 'GET', '/healthz')).status, 200);
      // The generated key guards the API.
      assert.equal((await call(pod, 'GET', '/v1/functions')).status, 401);
      const listed = await call(pod, 'GET', '/v1/functions', { key: await apiKey() });
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      // The database is on the claimed volume.
      assert.ok(existsSync(join(volumeDir, 'data', 'nanofaas.db')), `no data/nanofaas.db in ${volumeDir}`);
      const claim = await core.readNamespacedPersistentVolumeClaim({
        name: 'nanofaas-data',
        namespace: releaseNamespace,
      });
      assert.equal(claim.status?.phase, 'Bound');
    }));

  it("a pod with the chart's ServiceAccount gets in-cluster config, and the API server enforces the Role", () =>
    logs.guard(async () => {
      const fns = `/api/v1/namespaces/${functionsNamespace}`;
      const appsPath = `/apis/apps/v1/namespaces/${functionsNamespace}`;
      const watch = '?watch=1&timeoutSeconds=1';
      const probeService = {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'fn-probe', labels: { 'app.kubernetes.io/managed-by': 'nanofaas' } },
        spec: { ports: [{ port: 8080 }], selector: { function: 'probe' } },
      };
      // What the Kubernetes backend calls, each allowed (or 404: allowed, nothing there)...
      const calls = [
        { path: `${appsPath}/deployments`, expect: 200 },
        { path: `${appsPath}/deployments${watch}`, expect: 200 },
        // Read before apply or delete: is an object of that name ours?
        { path: `${appsPath}/deployments/fn-none`, expect: 404 },
        { path: `${fns}/services/fn-none`, expect: 404 },
        {
          path: `/apis/autoscaling/v2/namespaces/${functionsNamespace}/horizontalpodautoscalers/fn-none`,
          expect: 404,
        },
        {
          method: 'PATCH',
          path: `${appsPath}/deployments/fn-none/scale`,
          body: { spec: { replicas: 1 } },
          contentType: 'application/merge-patch+json',
          expect: 404,
        },
        // Server-side apply creating the object: authorised as patch and create.
        {
          method: 'PATCH',
          path: `${fns}/services/fn-probe?fieldManager=nanofaas`,
          body: probeService,
          contentType: 'application/apply-patch+yaml',
          expect: 201,
        },
        { path: `${fns}/services`, expect: 200 },
        { method: 'DELETE', path: `${fns}/services/fn-probe`, expect: 200 },
        {
          path: `/apis/autoscaling/v2/namespaces/${functionsNamespace}/horizontalpodautoscalers`,
          expect: 200,
        },
        { path: `/apis/batch/v1/namespaces/${functionsNamespace}/jobs`, expect: 200 },
        { path: `/apis/batch/v1/namespaces/${functionsNamespace}/jobs${watch}`, expect: 200 },
        { path: `/apis/batch/v1/namespaces/${functionsNamespace}/jobs/fn-none-run`, expect: 404 },
        {
          method: 'POST',
          path: `${fns}/secrets`,
          body: { metadata: { name: 'fn-probe-run' }, stringData: { token: 'x' } },
          expect: 201,
        },
        // Watches start from a list (and list again after a break).
        { path: `${fns}/pods`, expect: 200 },
        { path: `${fns}/pods${watch}`, expect: 200 },
        { path: `/apis/discovery.k8s.io/v1/namespaces/${functionsNamespace}/endpointslices`, expect: 200 },
        {
          path: `/apis/discovery.k8s.io/v1/namespaces/${functionsNamespace}/endpointslices${watch}`,
          expect: 200,
        },
        // ...and what it does not: reading Secrets back, reading one pod, scale reads, ConfigMaps,
        // exec, anything outside the functions namespace (the release's own included), anything
        // cluster-scoped.
        { path: `${fns}/secrets/fn-probe-run`, expect: 403 },
        { path: `${fns}/secrets`, expect: 403 },
        { method: 'DELETE', path: `${fns}/secrets/fn-probe-run`, expect: 403 },
        { path: `${fns}/pods/some-pod`, expect: 403 },
        { path: `${appsPath}/deployments/fn-none/scale`, expect: 403 },
        {
          method: 'PUT',
          path: `${appsPath}/deployments/fn-none`,
          body: { metadata: { name: 'fn-none' } },
          expect: 403,
        },
        { path: `${fns}/configmaps`, expect: 403 },
        { method: 'POST', path: `${fns}/pods/some-pod/exec?command=sh`, expect: 403 },
        { path: `/api/v1/namespaces/${releaseNamespace}/secrets`, expect: 403 },
        { path: `/apis/apps/v1/namespaces/${releaseNamespace}/deployments`, expect: 403 },
        { path: '/api/v1/namespaces/default/pods', expect: 403 },
        { path: '/api/v1/nodes', expect: 403 },
        { method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: 'probe' } }, expect: 403 },
        { path: '/apis/rbac.authorization.k8s.io/v1/clusterroles', expect: 403 },
      ];
      await core.createNamespacedPod({
        namespace: releaseNamespace,
        body: {
          metadata: { name: 'in-cluster-probe' },
          spec: {
            serviceAccountName: 'nanofaas',
            restartPolicy: 'Never',
            containers: [
              {
                name: 'probe',
                image: 'probe',
                command: [process.execPath, probeScript],
                env: [{ name: 'PROBE_CALLS', value: JSON.stringify(calls) }],
              },
            ],
          },
        },
      });
      const phase = await waitFor(
        'the probe pod to finish',
        async () => {
          const pod = await core.readNamespacedPod({ name: 'in-cluster-probe', namespace: releaseNamespace });
          const value = pod.status?.phase;
          return value === 'Succeeded' || value === 'Failed' ? value : undefined;
        },
        { timeoutMs: waitMs, intervalMs: 500 },
      );
      const log = readFileSync(testbed.podLogPath(releaseNamespace, 'in-cluster-probe', 'probe'), 'utf8');
      assert.equal(phase, 'Succeeded', log);
      const report = JSON.parse(log.trim().split('\n').pop()!) as {
        server: string;
        caFile: string;
        namespace: string;
        results: { method?: string; path: string; expect: number; status: number; message?: string }[];
      };
      const kubernetes = await core.readNamespacedService({ name: 'kubernetes', namespace: 'default' });
      assert.equal(
        report.server,
        `https://${kubernetes.spec!.clusterIP}:443`,
        'KUBERNETES_SERVICE_HOST/PORT',
      );
      assert.equal(report.caFile, '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt');
      assert.equal(report.namespace, releaseNamespace);
      const wrong = report.results.filter((result) => result.status !== result.expect);
      assert.deepEqual(
        wrong.map((r) => `${r.method ?? 'GET'} ${r.path}: ${r.status} (${r.message ?? ''})`),
        [],
        'calls whose answer differs from the Role',
      );
      for (const denied of report.results.filter((result) => result.expect === 403)) {
        assert.match(denied.message ?? '', new RegExp(`User "${serviceAccount}" cannot`));
      }
    }));

  it('upgrades: the generated key and the database survive a Recreate; a function answers before and after', () =>
    logs.guard(async () => {
      // A POOL function (an HTTP endpoint on the host) on the pool backend; a watchdog pod on the
      // Kubernetes backend, whose Deployment the upgraded control plane adopts.
      let requests = 0;
      const endpoint: Server = createServer((req, res) => {
        requests++;
        let body = '';
        req.setEncoding('utf8').on('data', (chunk) => {
          body += chunk;
        });
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'application/json' }).end(`{"seen":${body || 'null'}}`);
        });
      });
      await new Promise<void>((resolve) => endpoint.listen(0, testbed.network.hostIP, resolve));
      const invoke = async (pod: V1Pod, key: string, n: number) =>
        waitFor(
          `a successful invocation of "kept" (${n})`,
          async () => {
            const result = await call(pod, 'POST', '/v1/functions/kept:invoke', {
              key,
              body: { input: { n } },
            });
            return result.status === 200 ? result : undefined;
          },
          { timeoutMs: waitMs, intervalMs: 1000 },
        );
      try {
        const url = `http://${testbed.network.hostIP}:${(endpoint.address() as AddressInfo).port}/invoke`;
        const spec = hasKubernetesBackend
          ? { name: 'kept', image: 'nanofaas/watchdog:latest', runtimeMode: 'STDIO', runtimeCommand: 'cat' }
          : { name: 'kept', endpointUrl: url };
        const before = await readyControlPlane();
        const key = await apiKey();
        const registered = await call(before, 'POST', '/v1/functions', { key, body: spec });
        assert.equal(registered.status, 201, JSON.stringify(registered.body));
        const first = await invoke(before, key, 1);
        assert.equal(first.body.status, 'success');
        if (!hasKubernetesBackend) assert.ok(requests >= 1, 'the endpoint was called');

        await helmRun([
          'upgrade',
          release,
          chartDir,
          '--namespace',
          releaseNamespace,
          '--reuse-values',
          '--set',
          'logLevel=debug',
        ]);
        const afterUpgrade = await readyControlPlane(before.metadata!.uid);
        const env = afterUpgrade.spec!.containers[0]!.env!;
        assert.equal(env.find((e) => e.name === 'NANOFAAS_LOG_LEVEL')?.value, 'debug');
        const deployment = await apps.readNamespacedDeployment({
          name: 'nanofaas',
          namespace: releaseNamespace,
        });
        assert.equal(deployment.spec?.strategy?.type, 'Recreate');
        assert.equal(await apiKey(), key, 'the upgrade kept the generated key');
        const kept = await call(afterUpgrade, 'GET', '/v1/functions/kept', { key });
        assert.equal(
          kept.status,
          200,
          `the function registered before the upgrade: ${JSON.stringify(kept.body)}`,
        );
        const second = await invoke(afterUpgrade, key, 2);
        assert.equal(second.body.status, 'success');
        if (hasKubernetesBackend) {
          assert.deepEqual(second.body.output, { input: { n: 2 } });
          const deployments = await apps.listNamespacedDeployment({ namespace: functionsNamespace });
          assert.deepEqual(
            deployments.items.map((d) => d.metadata?.name),
            ['fn-kept'],
            'adopted, not duplicated',
          );
        }
        const deleted = await call(afterUpgrade, 'DELETE', '/v1/functions/kept', { key });
        assert.ok(deleted.status < 300, JSON.stringify(deleted.body));
      } finally {
        await new Promise<void>((resolve) => endpoint.close(() => resolve()));
      }
    }));

  it(
    'registers, invokes, scales and deletes a function through the installed control plane',
    { skip: !hasKubernetesBackend && 'the kubernetes backend is not in this checkout yet' },
    () =>
      logs.guard(async () => {
        const pod = await readyControlPlane();
        const key = await apiKey();
        const spec = {
          name: 'echo',
          image: 'nanofaas/watchdog:latest',
          runtimeMode: 'STDIO',
          runtimeCommand: 'cat',
        };
        const registered = await call(pod, 'POST', '/v1/functions', { key, body: spec });
        assert.equal(registered.status, 201, JSON.stringify(registered.body));
        const invoked = await waitFor(
          'the first successful invocation of echo',
          async () => {
            const result = await call(pod, 'POST', '/v1/functions/echo:invoke', {
              key,
              body: { input: { hello: 'pod' } },
            });
            return result.status === 200 ? result : undefined;
          },
          { timeoutMs: waitMs, intervalMs: 1000 },
        );
        assert.deepEqual(invoked.body.output, { input: { hello: 'pod' } });
        const scaled = await call(pod, 'PUT', '/v1/functions/echo/replicas', { key, body: { replicas: 2 } });
        assert.ok(scaled.status < 300, JSON.stringify(scaled.body));
        await waitFor(
          'Deployment fn-echo with 2 ready replicas',
          async () =>
            (await apps.readNamespacedDeployment({ name: 'fn-echo', namespace: functionsNamespace })).status
              ?.readyReplicas === 2,
          { timeoutMs: waitMs, intervalMs: 500 },
        );
        const deleted = await call(pod, 'DELETE', '/v1/functions/echo', { key });
        assert.ok(deleted.status < 300, JSON.stringify(deleted.body));
        await waitFor(
          'fn-echo objects gone',
          async () => {
            const deployments = await apps.listNamespacedDeployment({ namespace: functionsNamespace });
            const services = await core.listNamespacedService({ namespace: functionsNamespace });
            return (
              deployments.items.every((d) => d.metadata?.name !== 'fn-echo') &&
              services.items.every((s) => s.metadata?.name !== 'fn-echo')
            );
          },
          { timeoutMs: waitMs, intervalMs: 500 },
        );
      }),
  );

  it(
    'a REMOTE function: its Job pod calls back to the control plane pod (callbackUrl with $(POD_IP))',
    { skip: !hasKubernetesBackend && 'the kubernetes backend is not in this checkout yet' },
    () =>
      logs.guard(async () => {
        const pod = await readyControlPlane();
        const key = await apiKey();
        const spec = {
          name: 'once',
          image: 'nanofaas/watchdog:latest',
          executionMode: 'REMOTE',
          runtimeMode: 'STDIO',
          runtimeCommand: 'cat',
        };
        assert.equal((await call(pod, 'POST', '/v1/functions', { key, body: spec })).status, 201);
        const remote = await call(pod, 'POST', '/v1/functions/once:invoke', {
          key,
          body: { input: [1, 2, 3] },
        });
        assert.equal(remote.status, 200, JSON.stringify(remote.body));
        assert.deepEqual(remote.body.output, { input: [1, 2, 3] });
        assert.ok((await call(pod, 'DELETE', '/v1/functions/once', { key })).status < 300);
      }),
  );

  it(
    'a Role without `create` on deployments: registration shows the API server’s 403 in the function state',
    { skip: !hasKubernetesBackend && 'the kubernetes backend is not in this checkout yet' },
    () =>
      logs.guard(async () => {
        const role = await rbac.readNamespacedRole({ name: 'nanofaas', namespace: functionsNamespace });
        const original = structuredClone(role.rules);
        role.rules = role.rules!.map((rule) =>
          rule.resources?.includes('deployments')
            ? { ...rule, verbs: rule.verbs.filter((verb) => verb !== 'create') }
            : rule,
        );
        await rbac.replaceNamespacedRole({ name: 'nanofaas', namespace: functionsNamespace, body: role });
        try {
          const pod = await readyControlPlane();
          const key = await apiKey();
          const spec = {
            name: 'denied',
            image: 'nanofaas/watchdog:latest',
            runtimeMode: 'STDIO',
            runtimeCommand: 'cat',
          };
          assert.equal((await call(pod, 'POST', '/v1/functions', { key, body: spec })).status, 201);
          const status = await waitFor(
            'the function state naming the 403',
            async () => {
              const result = await call(pod, 'GET', '/v1/functions/denied', { key });
              return /forbidden/i.test(JSON.stringify(result.body)) ? result.body : undefined;
            },
            { timeoutMs: waitMs, intervalMs: 500 },
          );
          assert.match(JSON.stringify(status), /deployments\.apps.*is forbidden.*cannot create/);
          const invoked = await call(pod, 'POST', '/v1/functions/denied:invoke', { key, body: { input: 1 } });
          assert.ok(invoked.status >= 500 && invoked.status < 600, JSON.stringify(invoked.body));
          assert.match(JSON.stringify(invoked.body), /forbidden/i);
          await call(pod, 'DELETE', '/v1/functions/denied', { key });
        } finally {
          const current = await rbac.readNamespacedRole({ name: 'nanofaas', namespace: functionsNamespace });
          await rbac.replaceNamespacedRole({
            name: 'nanofaas',
            namespace: functionsNamespace,
            body: { ...current, rules: original },
          });
        }
      }),
  );

  it('uninstalls: every object of the release goes, the functions namespace with it', () =>
    logs.guard(async () => {
      await helmRun(['uninstall', release, '--namespace', releaseNamespace, '--wait', '--timeout', '120s']);
      let left: string[] = [];
      const names = (items: { metadata?: { name?: string } }[]) =>
        items
          .map((item) => item.metadata?.name ?? '')
          .filter((name) => name !== 'default' && name !== 'kube-root-ca.crt');
      await waitFor(
        'the release objects to be gone',
        async () => {
          left = [
            ...names((await apps.listNamespacedDeployment({ namespace: releaseNamespace })).items),
            ...names((await core.listNamespacedService({ namespace: releaseNamespace })).items),
            ...names((await core.listNamespacedServiceAccount({ namespace: releaseNamespace })).items),
            ...names((await core.listNamespacedSecret({ namespace: releaseNamespace })).items),
            ...names((await core.listNamespacedPersistentVolumeClaim({ namespace: releaseNamespace })).items),
            ...(await controlPlanePods()).map((pod) => pod.metadata!.name!),
          ];
          const fnNamespace = await core.readNamespace({ name: functionsNamespace }).catch(() => undefined);
          if (fnNamespace) left.push(`namespace ${functionsNamespace} (${fnNamespace.status?.phase})`);
          return left.length === 0;
        },
        { timeoutMs: waitMs, intervalMs: 1000 },
      ).catch((error: Error) => {
        throw new Error(`${error.message}; still there: ${left.join(', ')}`);
      });
      const list = await run(helm, ['list', '--namespace', releaseNamespace, '--short'], { env: helmEnv });
      assert.equal(list.stdout.trim(), '');
    }));
});
