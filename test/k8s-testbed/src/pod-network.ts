/**
 * Where pods get their addresses. Kubernetes rejects loopback addresses in EndpointSlices and
 * Endpoints (`may not be in the loopback range`), so by default each pod gets its own network
 * namespace, as in a real cluster (its own 127.0.0.1, any port free), with an address on a private
 * bridge of the test bed: real EndpointSlices, real routing, and no packet can leave the machine
 * (pod namespaces have no route but the bridge's /24, and nothing forwards off the bridge).
 * Where network namespaces cannot be made, pods share the host's network and bind loopback
 * addresses instead, and EndpointSlices cannot be written (README.md, "Limits").
 */
export interface PodNetworkSpec {
  kind: 'bridge' | 'loopback';
  /** Bridge device name (bridge only); pod namespaces are named `<bridge>-pod-<i>`. */
  bridge?: string;
  /** First three octets of the pod subnet, e.g. "10.244.7" (bridge) or "127.177.0" (loopback). */
  prefix: string;
  /** The host's address as seen from the pods (where a control plane under test listens). */
  hostIP: string;
  /** Pod subnet in CIDR notation. */
  podCIDR: string;
  /** Service ClusterIP range given to kube-apiserver (nothing routes ClusterIPs: no kube-proxy). */
  serviceCIDR: string;
}

/** Serialised into one env var for the node agent. */
export function encodePodNetworkSpec(spec: PodNetworkSpec): string {
  return JSON.stringify(spec);
}

export function decodePodNetworkSpec(text: string | undefined, varName: string): PodNetworkSpec {
  if (!text) throw new Error(`${varName} is required (JSON pod network spec written by the test bed)`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${varName} is not valid JSON`);
  }
  const spec = value as Partial<PodNetworkSpec>;
  if (spec.kind !== 'bridge' && spec.kind !== 'loopback') {
    throw new Error(`${varName}.kind must be "bridge" or "loopback"`);
  }
  if (spec.kind === 'bridge' && !spec.bridge)
    throw new Error(`${varName}.bridge is required for kind "bridge"`);
  for (const field of ['prefix', 'hostIP', 'podCIDR', 'serviceCIDR'] as const) {
    if (typeof spec[field] !== 'string' || spec[field] === '')
      throw new Error(`${varName}.${field} is required`);
  }
  return spec as PodNetworkSpec;
}

/** Network namespace name of pod address slot `index` on `bridge`. */
export function podNamespaceName(bridge: string, index: number): string {
  return `${bridge}-pod-${index}`;
}
