import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { type ErrorInfo, errorInfo, type FunctionStatus } from '@nanofaas/contracts';
import type { Clock } from '../../deps/clock.js';
import { Autoscaler, type AutoscalerOptions } from '../autoscaler.js';
import type { DeployedFunction, Dispatch, DispatchResult } from '../backend.js';
import { describeApiError } from './api-errors.js';
import type { ReadyEndpoint } from './endpoint-slices.js';
import { deploymentManifest, hpaManifest, serviceManifest } from './function-manifests.js';
import { FunctionPods } from './function-pods.js';
import type { KubeApi, ObjectRef } from './kube-api.js';
import { FUNCTION_PORT, objectName } from './object-names.js';
import { deleteIfOurs, describeNameConflict } from './object-ownership.js';
import type { PodClientFactory } from './pod-client.js';
import { describePodProblem } from './pod-problems.js';

export interface DeploymentFunctionDeps {
  readonly api: KubeApi;
  readonly clock: Clock;
  readonly clients: PodClientFactory;
  readonly autoscaling: AutoscalerOptions;
  readonly queuedCount: (name: string) => number;
  readonly onStateChange: (name: string, status: FunctionStatus) => void;
  readonly log: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * One DEPLOYMENT function on Kubernetes: its Deployment, Service and (for `scaling.strategy: HPA`)
 * HPA `fn-<name>`, applied server-side (so existing objects are adopted, not duplicated); its
 * replica count (INTERNAL: the Autoscaler through the scale subresource, including scale to zero
 * and activation on demand; or a pin); its ready pods from the EndpointSlices; and its state, where
 * an API error or a pod that cannot start shows with the API server's or the pod's own message.
 */
export class DeploymentFunction {
  #fn: DeployedFunction;
  readonly #deps: DeploymentFunctionDeps;
  readonly pods: FunctionPods;
  readonly #autoscaler: Autoscaler;
  #pinned: number | null = null;
  /** The replica count last asked for (INTERNAL) or reported (HPA). */
  #desired: number;
  #apiFailure: string | undefined;
  /** `fn-<name>` objects that exist and are not ours: nothing is applied, nothing served. */
  #nameConflict: string | undefined;
  #podFailure: string | undefined;
  /** The controllers cannot create the pods (a quota, an admission webhook): ReplicaFailure. */
  #replicaFailure: string | undefined;
  #reportedState: FunctionStatus['state'] | undefined;
  #sliceEndpoints: readonly ReadyEndpoint[] = [];
  #readyPods: readonly ReadyEndpoint[] = [];
  /** Every current pod as `status.instances` reports it (the dashboard's replicas). */
  #podInstances: readonly PodInstance[] = [];
  #applying: Promise<void> = Promise.resolve();
  #removed = false;

  constructor(fn: DeployedFunction, deps: DeploymentFunctionDeps) {
    this.#fn = fn;
    this.#deps = deps;
    this.#autoscaler = new Autoscaler(deps.autoscaling);
    this.#desired = fn.spec.scaling.minReplicas;
    this.pods = new FunctionPods({
      name: fn.spec.name,
      clock: deps.clock,
      clients: deps.clients,
      concurrency: () => this.#fn.spec.concurrency,
      refused: () => this.#refused(),
      blocked: () => this.#blocked(),
      onDemand: () => this.#activate(),
      describe: () => this.describe().message ?? '',
    });
  }

  get fn(): DeployedFunction {
    return this.#fn;
  }

  get name(): string {
    return this.#fn.spec.name;
  }

  /** Applies the objects; resolves when the API server took them (or refused: see the state). */
  apply(fn: DeployedFunction = this.#fn): Promise<void> {
    const rolled = fn.revision !== this.#fn.revision;
    this.#fn = fn;
    if (rolled) {
      this.#autoscaler.reset();
      this.#podFailure = undefined;
    }
    this.#applying = this.#applying.then(() => this.#applyNow());
    return this.#applying;
  }

  async #applyNow(): Promise<void> {
    if (this.#removed) return;
    const { api } = this.#deps;
    const spec = this.#fn.spec;
    const hpa = spec.scaling.strategy === 'HPA';
    const refs = functionObjects(spec.name);
    try {
      const conflicts = await Promise.all(
        (hpa ? refs : refs.filter((ref) => ref.kind !== 'HorizontalPodAutoscaler')).map((ref) =>
          describeNameConflict(api, ref),
        ),
      );
      this.#nameConflict = conflicts.filter((c) => c !== undefined).join('; ') || undefined;
      if (this.#nameConflict !== undefined) {
        this.#deps.log('function objects conflict with objects not ours', {
          function: this.name,
          error: this.#nameConflict,
        });
        this.pods.failWaiting(this.#unavailable(this.#nameConflict));
        this.#report();
        return;
      }
      await api.apply(deploymentManifest(this.#fn, api.namespace, hpa ? undefined : this.#desired));
      await api.apply(serviceManifest(spec, api.namespace));
      if (hpa) await api.apply(hpaManifest(spec, api.namespace));
      else await deleteIfOurs(api, refs[2]!);
      this.#apiFailure = undefined;
    } catch (error) {
      this.#apiFailure = `the API server refused the function's objects: ${describeApiError(error)}`;
      this.#deps.log('cannot apply function objects', { function: this.name, error: this.#apiFailure });
    }
    this.#report();
  }

  pin(replicas: number | null): Promise<void> {
    this.#pinned = replicas;
    this.#autoscaler.reset();
    if (replicas === 0) this.pods.failWaiting(this.#pinnedToZero());
    if (replicas !== null) return this.#scale(replicas);
    return Promise.resolve();
  }

  invoke(dispatch: Dispatch): Promise<DispatchResult> {
    return this.pods.invoke(dispatch);
  }

  /** Ready endpoints from the EndpointSlices of `fn-<name>`. */
  setEndpoints(endpoints: readonly ReadyEndpoint[]): void {
    this.#sliceEndpoints = endpoints;
    this.#route();
  }

  #route(): void {
    const seen = new Set<string>();
    const merged: ReadyEndpoint[] = [];
    for (const endpoint of [...this.#sliceEndpoints, ...this.#readyPods]) {
      const key = `${endpoint.address}:${endpoint.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      merged.push(endpoint);
    }
    this.pods.setEndpoints(merged);
    this.#report();
  }

  observeDeployment(deployment: V1Deployment): void {
    if (this.#fn.spec.scaling.strategy === 'HPA') this.#desired = deployment.spec?.replicas ?? this.#desired;
    // The Deployment controller copies its ReplicaSet's FailedCreate here, in the API server's
    // words ("pods … is forbidden: exceeded quota: …").
    const failure = deployment.status?.conditions?.find(
      (condition) => condition.type === 'ReplicaFailure' && condition.status === 'True',
    );
    this.#replicaFailure =
      failure === undefined
        ? undefined
        : `the cluster cannot create the function's pods: ${failure.reason ?? 'ReplicaFailure'}: ${failure.message ?? ''}`;
    if (this.#replicaFailure !== undefined && this.pods.readyCount === 0)
      this.pods.failWaiting(this.#unavailable(this.#replicaFailure));
    this.#report();
  }

  /** The Deployment was deleted by someone else (or while the watch was down): make it again. */
  observeDeploymentDeleted(): void {
    if (this.#removed) return;
    this.#deps.log('the Deployment of a function was deleted; applying it again', { function: this.name });
    void this.apply();
  }

  /** The function's pods: one that cannot start (image, config, crash loop) is the function's state. */
  observePods(pods: readonly V1Pod[]): void {
    const current = pods.filter((pod) => pod.metadata?.deletionTimestamp === undefined);
    // A pod reported Ready is routable at once: the EndpointSlice controller follows it, later
    // on a busy cluster, and a request waiting for activation need not wait for it.
    this.#readyPods = current.filter(isReady).map((pod) => ({
      address: pod.status!.podIP!,
      port: FUNCTION_PORT,
      podName: pod.metadata?.name,
    }));
    this.#podInstances = current.map(podInstance);
    this.#route();
    const problems = current.map(describePodProblem).filter((problem) => problem !== undefined);
    this.#podFailure = problems.length > 0 && this.pods.readyCount === 0 ? problems[0] : undefined;
    if (this.#podFailure !== undefined) {
      this.pods.failWaiting(errorInfo('FUNCTION_UNAVAILABLE', `"${this.name}": ${this.#podFailure}`));
    }
    this.#report();
  }

  /** The Autoscaler's tick (INTERNAL only, not pinned). */
  tick(): void {
    if (this.#removed || this.#pinned !== null || this.#fn.spec.scaling.strategy === 'HPA') return;
    const now = this.#deps.clock.now();
    const waiting = this.pods.waiting;
    const desired = this.#autoscaler.desiredReplicas(this.#fn.spec.scaling, {
      now,
      current: this.#desired,
      load: this.pods.inFlight + waiting + this.#deps.queuedCount(this.name),
      waiting,
      lastActivityAt: this.pods.lastActivityAt,
    });
    if (desired !== this.#desired) void this.#scale(desired);
  }

  describe(): FunctionStatus {
    const ready = this.pods.readyCount;
    const wanted = this.#desired;
    const failure = this.#failure();
    const progress = `pods wanted ${wanted}, ready ${ready}`;
    if (failure !== undefined) {
      return {
        state: 'failed',
        replicas: wanted,
        readyReplicas: ready,
        message: `${failure} (${progress})`,
        ...{ instances: this.#podInstances },
      };
    }
    if (this.#replicaFailure !== undefined) {
      // Some pods serve; more cannot be made.
      return {
        state: 'degraded',
        replicas: wanted,
        readyReplicas: ready,
        message: `${this.#replicaFailure} (${progress})`,
      };
    }
    const state: FunctionStatus['state'] =
      wanted === 0 && ready === 0
        ? 'scaled-to-zero'
        : ready >= wanted && ready > 0
          ? 'ready'
          : ready === 0
            ? 'pending'
            : 'degraded';
    const pin = this.#pinned === null ? '' : `; pinned to ${this.#pinned}`;
    return {
      state,
      replicas: wanted,
      readyReplicas: ready,
      message: `${progress}${pin}`,
      ...{ instances: this.#podInstances },
    };
  }

  /** Deletes the function's objects (pods go with the Deployment) and fails what still waits. */
  async remove(reason: ErrorInfo): Promise<void> {
    this.#removed = true;
    await this.#applying;
    this.pods.close(reason);
    const { api } = this.#deps;
    await Promise.all(functionObjects(this.name).map((ref) => deleteIfOurs(api, ref)));
  }

  /** Stops serving without touching the cluster (the control plane stops; the pods stay). */
  detach(reason: ErrorInfo): void {
    this.#removed = true;
    this.pods.close(reason);
  }

  async #scale(replicas: number): Promise<void> {
    if (this.#removed) return;
    this.#desired = replicas;
    try {
      await this.#deps.api.scaleDeployment(objectName(this.name), replicas);
      this.#apiFailure = undefined;
    } catch (error) {
      this.#apiFailure = `cannot scale to ${replicas}: ${describeApiError(error)}`;
      this.#deps.log('cannot scale function', { function: this.name, error: this.#apiFailure });
    }
    this.#report();
  }

  /** A request found no ready pod: at zero replicas, scale to one now (activation). */
  #activate(): void {
    if (this.#pinned !== null || this.#fn.spec.scaling.strategy === 'HPA') return;
    if (this.#desired === 0) void this.#scale(1);
  }

  /** Why no request is served, even by a ready pod: pinned to 0, or the pods are not ours. */
  #refused(): ErrorInfo | undefined {
    if (this.#pinned === 0) return this.#pinnedToZero();
    if (this.#nameConflict !== undefined) return this.#unavailable(this.#nameConflict);
    return undefined;
  }

  /** Why a request cannot wait for a pod. */
  #blocked(): ErrorInfo | undefined {
    const refused = this.#refused();
    if (refused !== undefined) return refused;
    const failure = this.#failure();
    if (failure !== undefined) return this.#unavailable(failure);
    return undefined;
  }

  #failure(): string | undefined {
    return (
      this.#nameConflict ??
      this.#apiFailure ??
      this.#podFailure ??
      (this.pods.readyCount === 0 ? this.#replicaFailure : undefined)
    );
  }

  #unavailable(failure: string): ErrorInfo {
    return errorInfo('FUNCTION_UNAVAILABLE', `"${this.name}": ${failure}`);
  }

  #pinnedToZero(): ErrorInfo {
    return errorInfo(
      'FUNCTION_UNAVAILABLE',
      `"${this.name}" is pinned to 0 replicas; PUT /v1/functions/${this.name}/replicas to start it again`,
    );
  }

  #report(): void {
    const status = this.describe();
    if (status.state === this.#reportedState) return;
    this.#reportedState = status.state;
    this.#deps.onStateChange(this.name, status);
  }
}

/** A pod of the function: its name, phase, readiness and container restarts. */
interface PodInstance {
  readonly pod: string;
  readonly state: string;
  readonly ready: boolean;
  readonly restarts: number;
}

function podInstance(pod: V1Pod): PodInstance {
  const ready = isReady(pod);
  return {
    pod: pod.metadata?.name ?? '',
    state: ready ? 'ready' : (pod.status?.phase ?? 'Pending').toLowerCase(),
    ready,
    restarts: (pod.status?.containerStatuses ?? []).reduce(
      (sum, status) => sum + (status.restartCount ?? 0),
      0,
    ),
  };
}

/** Deployment, Service and HPA `fn-<name>` (in that order). */
export function functionObjects(functionName: string): [ObjectRef, ObjectRef, ObjectRef] {
  const name = objectName(functionName);
  return [
    { apiVersion: 'apps/v1', kind: 'Deployment', name },
    { apiVersion: 'v1', kind: 'Service', name },
    { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name },
  ];
}

function isReady(pod: V1Pod): boolean {
  if (pod.status?.podIP === undefined || pod.status.phase !== 'Running') return false;
  return pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
