import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { apiGet } from './api-probe.js';
import { writeCredentials } from './credentials.js';
import { findFreePort } from './free-port.js';
import { ensureK8sBinaries, type K8sBinaries } from './k8s-binaries.js';
import { writeKubeconfig } from './kubeconfig.js';
import { ManagedProcess } from './managed-process.js';
import { createPodBridge, destroyPodBridge, loopbackPodNetwork } from './pod-bridge.js';
import { encodePodNetworkSpec, type PodNetworkSpec } from './pod-network.js';
import { waitFor } from './wait-for.js';

export interface TestbedOptions {
  /** 'auto' (default): a network namespace per pod on a bridge when possible, else loopback addresses. */
  network?: 'auto' | 'bridge' | 'loopback';
  /** Name of the Node object the agent registers. */
  nodeName?: string;
  /** Progress lines (binary build, start steps). Default: stderr. */
  onProgress?: (line: string) => void;
  /**
   * What images without a container command run: repository (no tag) → entrypoint argv, `*` for
   * any other image. `nanofaas/watchdog` → the watchdog binary is built in; e.g.
   * `{ '*': [watchdogPath] }` runs every function image as the watchdog, as its Dockerfile would.
   */
  imageEntrypoints?: Record<string, string[]>;
  /** Time allowed for each component to become ready. */
  readyTimeoutMs?: number;
}

export interface StopOptions {
  /** Keep the test bed's directory (logs, etcd data, kubeconfig). Default: keep only if something crashed. */
  keepDir?: boolean;
}

export interface Testbed {
  /** A kubeconfig for the admin user (token auth, system:masters). */
  kubeconfigPath: string;
  server: string;
  token: string;
  /** The API server's CA bundle (PEM). */
  caPath: string;
  nodeName: string;
  /** Pod network: pod and Service ranges and the host's address as seen from pods. */
  network: PodNetworkSpec;
  binaries: K8sBinaries;
  /** The test bed's directory; logs are in `<dir>/logs`, pod output in `<dir>/pods`. */
  dir: string;
  logsDir: string;
  /** File holding a pod container's stdout and stderr (the agent's stand-in for `kubectl logs`). */
  podLogPath(namespace: string, podName: string, container: string): string;
  /** File holding the pid of a pod container's process while it runs. */
  podPidPath(namespace: string, podName: string, container: string): string;
  /**
   * Creates a namespace and waits for its `default` ServiceAccount (until the controller manager has
   * made it, the ServiceAccount admission plugin rejects Pods created directly in the namespace).
   */
  createNamespace(name: string): Promise<void>;
  /** Process ids of etcd, the API server, the controller manager and the node agent. */
  processIds(): number[];
  /** A readable summary of every component log's tail, for failure messages. */
  describeLogs(lines?: number): string;
  /** Stops everything (idempotent); no process of the test bed is left afterwards. */
  stop(options?: StopOptions): Promise<void>;
}

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const runningFromSource = import.meta.url.endsWith('.ts');
const defaultWatchdogPath = join(packageRoot, '..', '..', 'watchdog', 'dist', 'watchdog');
const defaultControlPlaneMain = join(packageRoot, '..', '..', 'packages', 'control-plane', 'dist', 'main.js');

/**
 * Starts etcd, kube-apiserver, kube-controller-manager and the node agent on loopback with random
 * free ports, and waits until a Pod can be scheduled and run. On any failure everything already
 * started is stopped and the error names the log directory.
 */
export async function startTestbed(options: TestbedOptions = {}): Promise<Testbed> {
  const progress = options.onProgress ?? ((line: string) => process.stderr.write(`[testbed] ${line}\n`));
  const binaries = await ensureK8sBinaries({ onProgress: progress });
  try {
    return await startOnce(options, binaries, progress);
  } catch (error) {
    // A port found free can be taken by someone else before etcd or the API server binds it.
    if (!(error instanceof Error) || !error.message.includes('address already in use')) throw error;
    progress('a port was taken meanwhile; starting again on new ports');
    return await startOnce(options, binaries, progress);
  }
}

async function startOnce(
  options: TestbedOptions,
  binaries: K8sBinaries,
  progress: (line: string) => void,
): Promise<Testbed> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 180_000;
  const nodeName = options.nodeName ?? 'nanofaas-node';
  const dir = mkdtempSync(join(tmpdir(), 'nanofaas-k8s-'));
  const logsDir = join(dir, 'logs');
  mkdirSync(logsDir);
  mkdirSync(join(dir, 'pki'));
  const processes: ManagedProcess[] = [];
  let network: PodNetworkSpec | undefined;
  let stopped = false;

  const stop = async (stopOptions: StopOptions = {}): Promise<void> => {
    if (stopped) return;
    stopped = true;
    const crashed = processes.some((p) => p.exit !== undefined);
    // Reverse start order: the agent first, so it can end its pods while the API server still runs.
    for (const managed of [...processes].reverse())
      await managed.stop(managed.name === 'node-agent' ? 15_000 : 5000);
    killLeftoverPods(join(dir, 'pods'));
    if (network?.bridge) await destroyPodBridge(network.bridge);
    if (stopOptions.keepDir ?? crashed) progress(`kept test bed directory ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };

  const describeLogs = (lines = 30): string =>
    processes
      .map((p) => {
        const text = existsSync(p.logPath) ? readFileSync(p.logPath, 'utf8') : '';
        return `--- ${p.logPath} (last ${lines} lines)\n${text.split('\n').slice(-lines).join('\n')}`;
      })
      .join('\n');

  try {
    network = await choosePodNetwork(options.network ?? 'auto', progress);
    const credentials = writeCredentials(dir);
    const etcdPort = await findFreePort();
    const etcdPeerPort = await findFreePort();
    const apiPort = await findFreePort();
    const server = `https://127.0.0.1:${apiPort}`;
    const caPath = join(dir, 'pki', 'apiserver.crt');
    const kubeconfigPath = join(dir, 'kubeconfig');

    progress(`starting etcd on 127.0.0.1:${etcdPort}`);
    const etcd = ManagedProcess.start({
      name: 'etcd',
      command: binaries.etcd,
      args: [
        '--name=testbed',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-cluster=testbed=http://127.0.0.1:${etcdPeerPort}`,
        // Test data only: trade durability for speed on a shared 2-core machine.
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      logPath: join(logsDir, 'etcd.log'),
    });
    processes.push(etcd);
    await waitFor('etcd /health', async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`)).ok, {
      timeoutMs: readyTimeoutMs,
      check: () => etcd.assertRunning(),
    });

    progress(`starting kube-apiserver on ${server}`);
    const apiserver = ManagedProcess.start({
      name: 'kube-apiserver',
      command: binaries.kubeApiserver,
      args: [
        `--etcd-servers=http://127.0.0.1:${etcdPort}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        '--advertise-address=127.0.0.1',
        // The API server generates its own serving certificate (and CA) for localhost/127.0.0.1.
        `--cert-dir=${join(dir, 'pki')}`,
        `--token-auth-file=${credentials.tokenFile}`,
        '--authorization-mode=RBAC',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${credentials.serviceAccountPub}`,
        `--service-account-signing-key-file=${credentials.serviceAccountKey}`,
        `--service-cluster-ip-range=${network.serviceCIDR}`,
        // Nothing can reach the API server through the `kubernetes` Service here (no kube-proxy).
        '--endpoint-reconciler-type=none',
        '--enable-priority-and-fairness=false',
        '--profiling=false',
        '--v=1',
      ],
      logPath: join(logsDir, 'kube-apiserver.log'),
    });
    processes.push(apiserver);
    await waitFor('kube-apiserver serving certificate', async () => existsSync(caPath), {
      timeoutMs: readyTimeoutMs,
      check: () => apiserver.assertRunning(),
    });
    const ca = readFileSync(caPath);
    await waitFor(
      'kube-apiserver /readyz',
      async () => (await apiGet(`${server}/readyz`, { ca, token: credentials.adminToken })).status === 200,
      { timeoutMs: readyTimeoutMs, intervalMs: 300, check: () => apiserver.assertRunning() },
    );
    writeKubeconfig({ path: kubeconfigPath, server, caPath, token: credentials.adminToken });

    progress('starting kube-controller-manager');
    const controllerManager = ManagedProcess.start({
      name: 'kube-controller-manager',
      command: binaries.kubeControllerManager,
      args: [
        `--kubeconfig=${kubeconfigPath}`,
        '--leader-elect=false',
        // No serving port: nothing scrapes it, and parallel test beds would fight over 10257.
        '--secure-port=0',
        `--service-account-private-key-file=${credentials.serviceAccountKey}`,
        `--root-ca-file=${caPath}`,
        `--service-cluster-ip-range=${network.serviceCIDR}`,
        '--kube-api-qps=100',
        '--kube-api-burst=200',
        '--v=1',
      ],
      logPath: join(logsDir, 'kube-controller-manager.log'),
    });
    processes.push(controllerManager);
    await waitFor(
      'the default ServiceAccount (kube-controller-manager running)',
      async () =>
        (
          await apiGet(`${server}/api/v1/namespaces/default/serviceaccounts/default`, {
            ca,
            token: credentials.adminToken,
          })
        ).status === 200,
      { timeoutMs: readyTimeoutMs, intervalMs: 300, check: () => controllerManager.assertRunning() },
    );

    progress(`starting node agent (node ${nodeName}, ${network.kind} pod network ${network.podCIDR})`);
    const agentEntry = runningFromSource
      ? ['--import', 'tsx', join(packageRoot, 'src', 'agent', 'main.ts')]
      : [join(packageRoot, 'dist', 'agent', 'main.js')];
    const agent = ManagedProcess.start({
      name: 'node-agent',
      command: process.execPath,
      args: agentEntry,
      cwd: packageRoot,
      env: {
        ...process.env,
        KUBECONFIG: kubeconfigPath,
        NANOFAAS_NODE_NAME: nodeName,
        NANOFAAS_POD_NETWORK: encodePodNetworkSpec(network),
        NANOFAAS_AGENT_STATE_DIR: join(dir, 'pods'),
        NANOFAAS_WATCHDOG_BIN: process.env.NANOFAAS_WATCHDOG_BIN ?? defaultWatchdogPath,
        NANOFAAS_CONTROL_PLANE_MAIN: process.env.NANOFAAS_CONTROL_PLANE_MAIN ?? defaultControlPlaneMain,
        NANOFAAS_IMAGE_ENTRYPOINTS: JSON.stringify(options.imageEntrypoints ?? {}),
        // kube-apiserver skips verifying kubelet certificates without --kubelet-certificate-authority.
        NANOFAAS_KUBELET_TLS_CERT: caPath,
        NANOFAAS_KUBELET_TLS_KEY: join(dir, 'pki', 'apiserver.key'),
      },
      logPath: join(logsDir, 'node-agent.log'),
    });
    processes.push(agent);
    await waitFor(
      `node ${nodeName} Ready`,
      async () => {
        const res = await apiGet(`${server}/api/v1/nodes/${nodeName}`, { ca, token: credentials.adminToken });
        if (res.status !== 200) return false;
        const node = JSON.parse(res.body) as { status?: { conditions?: { type: string; status: string }[] } };
        return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
      },
      { timeoutMs: readyTimeoutMs, intervalMs: 300, check: () => agent.assertRunning() },
    );
    progress(`ready: KUBECONFIG=${kubeconfigPath}`);

    return {
      kubeconfigPath,
      server,
      token: credentials.adminToken,
      caPath,
      nodeName,
      network,
      binaries,
      dir,
      logsDir,
      podLogPath: (namespace, podName, container) =>
        join(dir, 'pods', `${namespace}_${podName}`, `${container}.log`),
      podPidPath: (namespace, podName, container) =>
        join(dir, 'pods', `${namespace}_${podName}`, `${container}.pid`),
      createNamespace: async (name) => {
        const kubeConfig = new KubeConfig();
        kubeConfig.loadFromFile(kubeconfigPath);
        const core = kubeConfig.makeApiClient(CoreV1Api);
        await core.createNamespace({ body: { metadata: { name } } });
        await waitFor(
          `the default ServiceAccount of namespace ${name}`,
          async () =>
            (await core.readNamespacedServiceAccount({ name: 'default', namespace: name })) !== undefined,
          { timeoutMs: readyTimeoutMs, intervalMs: 200 },
        );
      },
      processIds: () => processes.map((p) => p.pid).filter((pid): pid is number => pid !== undefined),
      describeLogs,
      stop,
    };
  } catch (error) {
    const logs = describeLogs(40);
    await stop({ keepDir: true });
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`test bed failed to start: ${message}\nlogs in ${logsDir}\n${logs}`);
  }
}

async function choosePodNetwork(
  wanted: 'auto' | 'bridge' | 'loopback',
  progress: (line: string) => void,
): Promise<PodNetworkSpec> {
  if (wanted === 'loopback') return loopbackPodNetwork();
  try {
    return await createPodBridge();
  } catch (error) {
    if (wanted === 'bridge') throw error;
    const reason = error instanceof Error ? error.message : String(error);
    progress(
      `pod network namespaces unavailable (${reason}); pods get loopback addresses, no EndpointSlices`,
    );
    return loopbackPodNetwork();
  }
}

/** Pods whose agent died without stopping them: their pid files name their process groups. */
function killLeftoverPods(podsDir: string): void {
  if (!existsSync(podsDir)) return;
  for (const pod of readdirSync(podsDir)) {
    for (const file of readdirSync(join(podsDir, pod))) {
      if (!file.endsWith('.pid')) continue;
      const pid = Number(readFileSync(join(podsDir, pod, file), 'utf8'));
      if (!Number.isInteger(pid) || pid <= 1) continue;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}
