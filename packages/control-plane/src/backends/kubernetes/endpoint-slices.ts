import type { V1EndpointSlice } from '@kubernetes/client-node';
import type { KubeApi, WatchEvent } from './kube-api.js';
import { FUNCTION_PORT, functionOfObject, MANAGED_SELECTOR, objectName } from './object-names.js';

/** One pod that may take requests, as its Service's EndpointSlices list it. */
export interface ReadyEndpoint {
  readonly address: string;
  readonly port: number;
  readonly podName: string | undefined;
}

export type EndpointsListener = (functionName: string, endpoints: readonly ReadyEndpoint[]) => void;

/**
 * Ready endpoints of every `fn-<name>` Service, from a watch on the namespace's EndpointSlices
 * (the control plane calls pods directly: no kube-proxy, no ClusterIP hop). A function's list is
 * the union of its slices' ready endpoints; each change is handed to the listener whole.
 */
export class EndpointSlices {
  readonly #api: KubeApi;
  readonly #listener: EndpointsListener;
  /** function → slice name → ready endpoints of that slice. */
  readonly #slices = new Map<string, Map<string, ReadyEndpoint[]>>();
  #stop: (() => void) | undefined;

  constructor(api: KubeApi, listener: EndpointsListener) {
    this.#api = api;
    this.#listener = listener;
  }

  start(onError: (error: unknown) => void): void {
    this.#stop ??= this.#api.watch<V1EndpointSlice>(
      { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' },
      // Slices carry their Service's labels: only those of our Services.
      MANAGED_SELECTOR,
      (type, slice) => this.#onEvent(type, slice),
      onError,
    );
  }

  stop(): void {
    this.#stop?.();
    this.#stop = undefined;
  }

  /**
   * Lists the function's slices again (requests are waiting with no pod ready): a watch that broke
   * without saying so cannot keep a function unreachable for longer than one refresh.
   */
  async refresh(functionName: string): Promise<void> {
    const slices = await this.#api.list<V1EndpointSlice>(
      'discovery.k8s.io/v1',
      'EndpointSlice',
      `${MANAGED_SELECTOR},kubernetes.io/service-name=${objectName(functionName)}`,
    );
    const fresh = new Map<string, ReadyEndpoint[]>();
    for (const slice of slices) {
      const name = slice.metadata?.name;
      if (name !== undefined) fresh.set(name, readyEndpoints(slice));
    }
    if (fresh.size === 0) this.#slices.delete(functionName);
    else this.#slices.set(functionName, fresh);
    this.#listener(functionName, this.endpointsOf(functionName));
  }

  /** The ready endpoints of a function now. */
  endpointsOf(functionName: string): ReadyEndpoint[] {
    return [...(this.#slices.get(functionName)?.values() ?? [])].flat();
  }

  #onEvent(type: WatchEvent, slice: V1EndpointSlice): void {
    const service = slice.metadata?.labels?.['kubernetes.io/service-name'];
    const functionName = service === undefined ? undefined : functionOfObject(service);
    const sliceName = slice.metadata?.name;
    if (functionName === undefined || sliceName === undefined) return;
    let slices = this.#slices.get(functionName);
    if (!slices) {
      slices = new Map();
      this.#slices.set(functionName, slices);
    }
    if (type === 'DELETED') slices.delete(sliceName);
    else slices.set(sliceName, readyEndpoints(slice));
    if (slices.size === 0) this.#slices.delete(functionName);
    this.#listener(functionName, this.endpointsOf(functionName));
  }
}

function readyEndpoints(slice: V1EndpointSlice): ReadyEndpoint[] {
  const port = slice.ports?.find((p) => p.name === 'http')?.port ?? slice.ports?.[0]?.port ?? FUNCTION_PORT;
  const ready: ReadyEndpoint[] = [];
  for (const endpoint of slice.endpoints ?? []) {
    // `ready` unset means ready (EndpointSlice API); a terminating pod is not ready.
    if (endpoint.conditions?.ready === false || endpoint.conditions?.terminating === true) continue;
    const address = endpoint.addresses[0];
    if (address !== undefined) ready.push({ address, port, podName: endpoint.targetRef?.name });
  }
  return ready;
}
