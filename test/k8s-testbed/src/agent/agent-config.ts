import { decodePodNetworkSpec, type PodNetworkSpec } from '../pod-network.js';
import { type ImageEntrypoints, parseImageEntrypoints } from './image-entrypoints.js';

export interface AgentConfig {
  kubeconfigPath: string;
  nodeName: string;
  network: PodNetworkSpec;
  /** Per-pod directories (output logs, pid files) live here. */
  stateDir: string;
  /** TLS pair of the agent's kubelet endpoint (for `kubectl logs`). */
  kubeletCertPath: string;
  kubeletKeyPath: string;
  /**
   * Image repository → entrypoint argv; built in: `nanofaas/watchdog` → the watchdog binary,
   * `nanofaas/control-plane` → `node --expose-gc packages/control-plane/dist/main.js` of this checkout.
   */
  imageEntrypoints: ImageEntrypoints;
  /** Lease renewal period; the node controller declares a node lost after ~40-50 s without one. */
  leaseRenewMs: number;
  /** Base of the restart back-off (kubelet: 10 s doubling to 5 min; shorter here for tests). */
  restartBackoffBaseMs: number;
  restartBackoffMaxMs: number;
}

/** Reads the agent's configuration from the environment; fails fast naming the variable. */
export function loadAgentConfig(env: NodeJS.ProcessEnv): Readonly<AgentConfig> {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`${name} is required`);
    return value;
  };
  return Object.freeze({
    kubeconfigPath: required('KUBECONFIG'),
    nodeName: env.NANOFAAS_NODE_NAME || 'nanofaas-node',
    network: decodePodNetworkSpec(env.NANOFAAS_POD_NETWORK, 'NANOFAAS_POD_NETWORK'),
    stateDir: required('NANOFAAS_AGENT_STATE_DIR'),
    imageEntrypoints: Object.freeze({
      'nanofaas/watchdog': [required('NANOFAAS_WATCHDOG_BIN')],
      // The control plane image's ENTRYPOINT (deploy/control-plane/Dockerfile), run by this Node.
      'nanofaas/control-plane': [process.execPath, '--expose-gc', required('NANOFAAS_CONTROL_PLANE_MAIN')],
      ...parseImageEntrypoints(env.NANOFAAS_IMAGE_ENTRYPOINTS, 'NANOFAAS_IMAGE_ENTRYPOINTS'),
    }),
    kubeletCertPath: required('NANOFAAS_KUBELET_TLS_CERT'),
    kubeletKeyPath: required('NANOFAAS_KUBELET_TLS_KEY'),
    leaseRenewMs: 10_000,
    restartBackoffBaseMs: 1000,
    restartBackoffMaxMs: 30_000,
  });
}
