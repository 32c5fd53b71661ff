import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CoordinationV1Api,
  type CoreV1Api,
  type KubeConfig,
  V1MicroTime,
  type V1Node,
  type V1Pod,
  Watch,
} from '@kubernetes/client-node';
import type { AgentConfig } from './agent-config.js';
import type { ClusterApiService } from './cluster-api-service.js';
import type { KubeletServer } from './kubelet-server.js';
import type { PodAddresses } from './pod-addresses.js';
import { isNotFound, type PodApi } from './pod-api.js';
import { PodRunner } from './pod-runner.js';

export interface NodeAgentDeps {
  config: AgentConfig;
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  coordination: CoordinationV1Api;
  podApi: PodApi;
  addresses: PodAddresses;
  kubeletServer: KubeletServer;
  /** The `kubernetes` Service for in-cluster clients in pods. */
  clusterApi: ClusterApiService;
  log(line: string): void;
}

const agentVersion = 'v1.37.2-nanofaas-node-agent';

/**
 * Stands in for the kubelet (and the scheduler, for a one-node cluster): registers the Node, keeps
 * its Lease fresh, binds unscheduled Pods to itself, and runs a PodRunner for each Pod bound to it.
 */
export class NodeAgent {
  private readonly runners = new Map<string, PodRunner>();
  /** Pods this agent has finished with: late watch events about them must not start them again. */
  private readonly finishedUids = new Set<string>();
  private leaseTimer: NodeJS.Timeout | undefined;
  private watchAbort: AbortController | undefined;
  private stopping = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly deps: NodeAgentDeps) {}

  async start(): Promise<void> {
    const kubeletPort = await this.deps.kubeletServer.start();
    await this.registerNode(kubeletPort);
    await this.deps.clusterApi.start();
    await this.renewLease();
    this.leaseTimer = setInterval(() => void this.renewLease(), this.deps.config.leaseRenewMs);
    this.loop = this.watchPods();
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    this.watchAbort?.abort();
    await Promise.all([...this.runners.values()].map((runner) => runner.shutdown(2000)));
    this.runners.clear();
    await this.deps.kubeletServer.stop();
    await this.deps.clusterApi.stop();
    await this.loop?.catch(() => undefined);
  }

  private async registerNode(kubeletPort: number): Promise<void> {
    const { nodeName, network } = this.deps.config;
    const node: V1Node = {
      metadata: {
        name: nodeName,
        labels: {
          'kubernetes.io/hostname': nodeName,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
          'node.nanofaas.dev/agent': 'true',
        },
      },
      spec: { podCIDR: network.podCIDR, podCIDRs: [network.podCIDR] },
    };
    try {
      await this.deps.core.createNode({ body: node });
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
    }
    const now = new Date();
    const conditions = (
      [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
        ['Ready', 'True', 'KubeletReady'],
      ] as const
    ).map(([type, status, reason]) => ({
      type,
      status,
      reason,
      message: 'nanofaas node agent',
      lastHeartbeatTime: now,
      lastTransitionTime: now,
    }));
    const capacity = { cpu: '2', memory: '24Gi', pods: '110', 'ephemeral-storage': '100Gi' };
    const status = {
      conditions,
      // Only an IP: the API server tries Hostname first, and the node name resolves nowhere.
      addresses: [{ type: 'InternalIP', address: network.hostIP }],
      capacity,
      allocatable: capacity,
      daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } },
      nodeInfo: {
        architecture: process.arch === 'x64' ? 'amd64' : process.arch,
        bootID: '',
        containerRuntimeVersion: 'nanofaas-processes://1',
        kernelVersion: '',
        kubeProxyVersion: '',
        kubeletVersion: agentVersion,
        machineID: '',
        operatingSystem: 'linux',
        osImage: 'nanofaas node agent (processes, not containers)',
        systemUUID: '',
      },
    };
    // A new Node is written by the node lifecycle controller too (taints, annotations): a conflict
    // means our read was stale, so read again and retry, as the kubelet does.
    for (let attempt = 1; ; attempt++) {
      try {
        const node = await this.deps.core.readNode({ name: nodeName });
        await this.deps.core.replaceNodeStatus({ name: nodeName, body: { ...node, status } });
        break;
      } catch (error) {
        if ((error as { code?: number }).code !== 409 || attempt >= 10) throw error;
      }
    }
    this.deps.log(`registered node ${nodeName} (${network.hostIP}, pods ${network.podCIDR})`);
  }

  private async renewLease(): Promise<void> {
    const { nodeName } = this.deps.config;
    const namespace = 'kube-node-lease';
    // renewTime is a MicroTime: the API server insists on six fractional digits.
    const spec = { holderIdentity: nodeName, leaseDurationSeconds: 40, renewTime: new V1MicroTime() };
    try {
      const lease = await this.deps.coordination.readNamespacedLease({ name: nodeName, namespace });
      await this.deps.coordination.replaceNamespacedLease({
        name: nodeName,
        namespace,
        body: { ...lease, spec: { ...lease.spec, ...spec } },
      });
    } catch (error) {
      if (isNotFound(error)) {
        await this.deps.coordination
          .createNamespacedLease({ namespace, body: { metadata: { name: nodeName, namespace }, spec } })
          .catch((e: unknown) => this.deps.log(`lease create failed: ${String(e)}`));
      } else {
        this.deps.log(`lease renewal failed: ${String(error)}`);
      }
    }
  }

  /** List, then watch from the list's resourceVersion; on any watch end, list again. */
  private async watchPods(): Promise<void> {
    const watch = new Watch(this.deps.kubeConfig);
    while (!this.stopping) {
      try {
        const list = await this.deps.core.listPodForAllNamespaces({});
        const seen = new Set<string>();
        for (const pod of list.items) {
          seen.add(pod.metadata!.uid!);
          this.onPod('ADDED', pod);
        }
        for (const [uid, runner] of this.runners) if (!seen.has(uid)) void runner.kill();
        const ended = new Promise<void>((resolve) => {
          watch
            .watch(
              '/api/v1/pods',
              { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
              (type: string, pod: V1Pod) => this.onPod(type, pod),
              (error: unknown) => {
                if (error && !this.stopping) this.deps.log(`pod watch ended: ${String(error)}`);
                resolve();
              },
            )
            .then((abort) => {
              this.watchAbort = abort;
              if (this.stopping) abort.abort();
            })
            .catch((error: unknown) => {
              this.deps.log(`pod watch failed: ${String(error)}`);
              resolve();
            });
        });
        await ended;
      } catch (error) {
        this.deps.log(`pod list failed: ${String(error)}`);
      }
      if (!this.stopping) await sleep(500);
    }
  }

  private onPod(type: string, pod: V1Pod): void {
    if (this.stopping || type === 'BOOKMARK' || type === 'ERROR') return;
    const uid = pod.metadata?.uid;
    if (!uid) return;
    if (this.finishedUids.has(uid)) return;
    const runner = this.runners.get(uid);
    if (type === 'DELETED') {
      if (runner) void runner.kill();
      return;
    }
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) {
      const scheduler = pod.spec?.schedulerName ?? 'default-scheduler';
      if (scheduler === 'default-scheduler' && !pod.metadata?.deletionTimestamp) void this.bind(pod);
      return;
    }
    if (nodeName !== this.deps.config.nodeName) return;
    if (runner) {
      runner.update(pod);
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      // Finished before (or while the agent was away): only a graceful deletion needs finishing.
      if (pod.metadata?.deletionTimestamp) void this.deps.podApi.deleteNow(pod).catch(() => undefined);
      return;
    }
    if (pod.metadata?.deletionTimestamp) {
      void this.deps.podApi.deleteNow(pod).catch(() => undefined);
      return;
    }
    const created = new PodRunner(pod, {
      config: this.deps.config,
      addresses: this.deps.addresses,
      api: this.deps.podApi,
      serviceEnv: this.deps.clusterApi.env(),
      log: this.deps.log,
      onGone: (goneUid) => {
        this.runners.delete(goneUid);
        if (this.finishedUids.size > 10_000) this.finishedUids.clear();
        this.finishedUids.add(goneUid);
      },
    });
    this.runners.set(uid, created);
    created
      .start()
      .catch((error: unknown) =>
        this.deps.log(`pod ${pod.metadata?.name} failed to start: ${String(error)}`),
      );
  }

  private async bind(pod: V1Pod): Promise<void> {
    const { name, namespace, uid } = pod.metadata!;
    try {
      await this.deps.core.createNamespacedPodBinding({
        name: name!,
        namespace: namespace!,
        body: {
          metadata: { name, namespace, uid },
          target: { apiVersion: 'v1', kind: 'Node', name: this.deps.config.nodeName },
        },
      });
      this.deps.podApi.recordEvent(
        pod,
        'Normal',
        'Scheduled',
        `Successfully assigned ${namespace}/${name} to ${this.deps.config.nodeName}`,
        'default-scheduler',
      );
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (code !== 409 && code !== 404)
        this.deps.log(`binding ${namespace}/${name} failed: ${String(error)}`);
    }
  }
}
