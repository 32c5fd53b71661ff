/**
 * Where pods get their addresses. Kubernetes rejects loopback addresses in EndpointSlices and
 * Endpoints (`may not be in the loopback range`), so the default gives the pods a private subnet
 * inside a network namespace of the test bed's own, joined to the host by a veth pair: real
 * EndpointSlices, real routing, and no packet can leave the machine (the namespace has no route
 * but its own /24). Where network namespaces are unavailable the pods bind loopback addresses
 * instead, and EndpointSlices cannot be written (documented in README.md).
 */
export interface PodNetworkSpec {
  kind: 'netns' | 'loopback';
  /** Network namespace name (netns only). */
  namespace?: string;
  /** First three octets of the pod subnet, e.g. "10.244.7" (netns) or "127.77.0" (loopback). */
  prefix: string;
  /** The host's address as seen from the pods (where a control plane under test listens). */
  hostIP: string;
  /** Pod subnet in CIDR notation. */
  podCIDR: string;
  /** Service ClusterIP range given to kube-apiserver. */
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
  if (spec.kind !== 'netns' && spec.kind !== 'loopback') {
    throw new Error(`${varName}.kind must be "netns" or "loopback"`);
  }
  if (spec.kind === 'netns' && !spec.namespace) throw new Error(`${varName}.namespace is required for netns`);
  for (const field of ['prefix', 'hostIP', 'podCIDR', 'serviceCIDR'] as const) {
    if (typeof spec[field] !== 'string' || spec[field] === '')
      throw new Error(`${varName}.${field} is required`);
  }
  return spec as PodNetworkSpec;
}
