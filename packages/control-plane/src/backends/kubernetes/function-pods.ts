import { type ErrorInfo, errorInfo, type FunctionStatus } from '@nanofaas/contracts';
import type { Clock } from '../../deps/clock.js';
import { type Dispatch, type DispatchResult, dispatchResultOf } from '../backend.js';
import { InstanceRouter, type RoutableInstance } from '../instance-router.js';
import type { ReadyEndpoint } from './endpoint-slices.js';
import type { FunctionAnswer, PodClient, PodClientFactory } from './pod-client.js';

/** One ready pod of a DEPLOYMENT function, as the router sees it. */
export interface FunctionPod extends RoutableInstance {
  readonly address: string;
  readonly port: number;
  readonly podName: string | undefined;
  readonly client: PodClient;
  /** After a refused connection: no requests until then (or until its EndpointSlice changes). */
  suspectUntil: number;
  gone: boolean;
}

export interface FunctionPodsOptions {
  readonly name: string;
  readonly clock: Clock;
  readonly clients: PodClientFactory;
  readonly concurrency: () => number;
  /** Why no request is served even by a ready pod (pinned to 0), or undefined. */
  readonly refused: () => ErrorInfo | undefined;
  /** Why requests cannot wait for a pod (failed), or undefined. */
  readonly blocked: () => ErrorInfo | undefined;
  /** Called when a request waits with no pod ready: the function may be at zero (activation). */
  readonly onDemand: () => void;
  readonly describe: () => string;
}

/**
 * The ready pods of one DEPLOYMENT function and the requests to them: least-loaded pod, never more
 * than `concurrency` in flight per pod, the rest wait (InstanceRouter). A pod that refuses the
 * connection never saw the request, which goes to another pod (or the same once ready) within the
 * attempt, as the local backend does with a dead replica.
 */
export class FunctionPods {
  readonly #options: FunctionPodsOptions;
  readonly #pods = new Map<string, FunctionPod>();
  readonly #router: InstanceRouter<FunctionPod>;
  #lastActivityAt = Number.NEGATIVE_INFINITY;

  constructor(options: FunctionPodsOptions) {
    this.#options = options;
    this.#router = new InstanceRouter<FunctionPod>({
      clock: options.clock,
      candidates: () => this.#routable(),
      limit: options.concurrency,
    });
  }

  get readyCount(): number {
    return this.#routable().length;
  }

  #routable(): FunctionPod[] {
    const now = this.#options.clock.now();
    return [...this.#pods.values()].filter((pod) => pod.suspectUntil <= now);
  }

  get inFlight(): number {
    let sum = 0;
    for (const pod of this.#pods.values()) sum += pod.inFlight;
    return sum;
  }

  get waiting(): number {
    return this.#router.waiting;
  }

  get lastActivityAt(): number {
    return this.#lastActivityAt;
  }

  /** The EndpointSlices' ready endpoints now: new pods join, gone ones leave once idle. */
  setEndpoints(endpoints: readonly ReadyEndpoint[]): void {
    const seen = new Set<string>();
    for (const endpoint of endpoints) {
      const key = `${endpoint.address}:${endpoint.port}`;
      seen.add(key);
      const known = this.#pods.get(key);
      if (known) {
        known.suspectUntil = 0;
        continue;
      }
      this.#pods.set(key, {
        ...endpoint,
        inFlight: 0,
        client: this.#options.clients(endpoint.address, endpoint.port, this.#options.concurrency()),
        suspectUntil: 0,
        gone: false,
      });
    }
    for (const [key, pod] of this.#pods) {
      if (seen.has(key)) continue;
      this.#pods.delete(key);
      pod.gone = true;
      if (pod.inFlight === 0) pod.client.close();
    }
    this.#router.serve();
  }

  async invoke(dispatch: Dispatch): Promise<DispatchResult> {
    const refused = this.#options.refused();
    if (refused !== undefined) return { ok: false, error: refused, coldStart: false };
    this.#lastActivityAt = this.#options.clock.now();
    const coldStart = this.readyCount === 0;
    for (let redispatch = 0; ; redispatch++) {
      let pod = this.#router.tryAcquire();
      if (pod === undefined) {
        const blocked = this.#options.blocked();
        if (blocked !== undefined) return { ok: false, error: blocked, coldStart: false };
        const waited = this.#router.wait(dispatch, () =>
          errorInfo(
            'TIMEOUT',
            `no pod of "${this.#options.name}" had room within ${dispatch.timeoutMs} ms (${this.#options.describe()})`,
            { origin: 'platform' },
          ),
        );
        this.#options.onDemand();
        const acquired = await waited;
        if (!acquired.ok) return { ok: false, error: acquired.error, coldStart };
        pod = acquired.value;
      }
      let outcome: FunctionAnswer;
      try {
        outcome = await pod.client.invoke(dispatch);
      } finally {
        this.#release(pod);
      }
      if (outcome.ok) return dispatchResultOf(outcome, coldStart);
      const unrun = outcome.notDelivered === true || outcome.error.code === 'NOT_READY';
      if (unrun) this.#suspect(pod);
      if (!unrun || redispatch >= 2) return { ok: false, error: outcome.error, coldStart };
    }
  }

  /** Fails every waiting request (pinned to 0, failed, deleted, stopping). */
  failWaiting(error: ErrorInfo): void {
    this.#router.failAll(error);
  }

  close(error: ErrorInfo): void {
    this.#router.failAll(error);
    for (const pod of this.#pods.values()) pod.client.close();
    this.#pods.clear();
  }

  #suspect(pod: FunctionPod): void {
    pod.suspectUntil = this.#options.clock.now() + SUSPECT_MS;
    this.#options.clock.setTimer(() => this.#router.serve(), SUSPECT_MS);
  }

  #release(pod: FunctionPod): void {
    this.#lastActivityAt = this.#options.clock.now();
    if (pod.gone) {
      pod.inFlight--;
      if (pod.inFlight === 0) pod.client.close();
      this.#router.serve();
      return;
    }
    this.#router.release(pod);
  }
}

/** How long a pod that refused a connection gets no requests (its readiness probe catches up). */
const SUSPECT_MS = 1000;

export type { FunctionStatus };
