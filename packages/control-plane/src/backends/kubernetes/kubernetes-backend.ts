import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import {
  errorInfo,
  type FunctionStatus,
  type ResolvedFunctionSpec,
  validationFailed,
} from '@nanofaas/contracts';
import type { KubernetesBackendConfig } from '../../config/kubernetes-backend-config.js';
import type { CancelTimer, Clock } from '../../deps/clock.js';
import type { Logger } from '../../observability/logger.js';
import type {
  Backend,
  BackendContext,
  DeployedFunction,
  Dispatch,
  DispatchResult,
  LoadProbe,
  StateListener,
} from '../backend.js';
import { describeApiError } from './api-errors.js';
import { DeploymentFunction, functionObjects } from './deployment-function.js';
import { EndpointSlices } from './endpoint-slices.js';
import { JobRuns } from './job-runs.js';
import type { KubeApi } from './kube-api.js';
import { Labels, MANAGED_SELECTOR } from './object-names.js';
import { deleteIfOurs } from './object-ownership.js';
import { createPodClient, type PodClientFactory } from './pod-client.js';
import { deleteOrphans } from './reconciler.js';

export interface KubernetesBackendOptions {
  readonly config: KubernetesBackendConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Default: a client of the cluster from in-cluster config or KUBECONFIG. */
  readonly api?: KubeApi;
  readonly clients?: PodClientFactory;
}

/**
 * NANOFAAS_BACKEND=kubernetes (DESIGN.md §5, spec "Risorse K8s per funzione"): a DEPLOYMENT
 * function is a Deployment, a Service and optionally an HPA `fn-<name>`, its pods called directly
 * at the addresses of its EndpointSlices; a REMOTE invocation is one Job with its Secret. The
 * cluster keeps running what the control plane made while it is down: `stop` leaves the objects,
 * and the next start adopts them (server-side apply, Backend.recoverRun for Jobs).
 */
export class KubernetesBackend implements Backend {
  readonly kind = 'kubernetes' as const;
  readonly #options: KubernetesBackendOptions;
  readonly #log: Logger;
  #api: KubeApi | undefined;
  #jobs: JobRuns | undefined;
  #slices: EndpointSlices | undefined;
  readonly #functions = new Map<string, DeployedFunction>();
  readonly #deployments = new Map<string, DeploymentFunction>();
  readonly #pods = new Map<string, Map<string, V1Pod>>();
  readonly #stopWatches: Array<() => void> = [];
  #cancelTick: CancelTimer | undefined;
  #load: LoadProbe = { queuedCount: () => 0 };
  #reportState: StateListener | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: KubernetesBackendOptions) {
    this.#options = options;
    this.#log = options.logger.child({ backend: 'kubernetes' });
  }

  async start(context: BackendContext): Promise<void> {
    this.#load = context.load;
    this.#reportState = context.reportState;
    const { config } = this.#options;
    const api = this.#options.api ?? (await this.#connect(config));
    this.#api = api;
    try {
      await api.list('apps/v1', 'Deployment', MANAGED_SELECTOR);
    } catch (error) {
      throw new Error(
        `kubernetes backend: cannot list Deployments in namespace "${config.namespace}": ${describeApiError(error)}`,
      );
    }
    const warn = (what: string) => (error: unknown) =>
      this.#log.warn({ error: describeApiError(error) }, `watch of ${what} failed; retrying`);
    this.#jobs = new JobRuns({
      api,
      clock: this.#options.clock,
      jobTtlSeconds: config.jobTtlSeconds,
      callbackGraceMs: config.callbackGraceMs,
      payloadEnvMaxBytes: config.payloadEnvMaxBytes,
      callbackUrl: config.callbackUrl,
      log: (message, fields) => this.#log.info(fields ?? {}, message),
    });
    this.#jobs.start(warn('Jobs'));
    this.#slices = new EndpointSlices(api, (name, endpoints) =>
      this.#deployments.get(name)?.setEndpoints(endpoints),
    );
    this.#slices.start(warn('EndpointSlices'));
    const ns = api.namespace;
    this.#stopWatches.push(
      api.watch<V1Deployment>(
        { apiVersion: 'apps/v1', kind: 'Deployment' },
        MANAGED_SELECTOR,
        (type, deployment) => {
          const name = deployment.metadata?.labels?.[Labels.function];
          const known = name === undefined ? undefined : this.#deployments.get(name);
          if (type === 'DELETED') known?.observeDeploymentDeleted();
          else known?.observeDeployment(deployment);
        },
        warn('Deployments'),
      ),
      api.watch<V1Pod>(
        { apiVersion: 'v1', kind: 'Pod' },
        // Ours only: pods of an object of someone else's that shares a function's name never serve.
        `${MANAGED_SELECTOR},${Labels.function}`,
        (type, pod) => this.#onPod(type, pod),
        warn('pods'),
      ),
    );
    this.#scheduleTick();
    this.#log.info({ namespace: ns }, 'kubernetes backend started');
  }

  /** The client (and its dependencies) loads only when this backend runs. */
  async #connect(config: KubernetesBackendConfig): Promise<KubeApi> {
    const { createKubeApi, loadKubeConfig } = await import('./kube-api.js');
    return createKubeApi(loadKubeConfig(config.kubeconfigPath), config.namespace, this.#options.clock);
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#cancelTick?.();
      for (const stop of this.#stopWatches.splice(0)) stop();
      this.#jobs?.stop();
      this.#slices?.stop();
      const reason = errorInfo('SHUTTING_DOWN', 'the control plane is shutting down');
      for (const deployment of this.#deployments.values()) deployment.detach(reason);
      this.#deployments.clear();
    })();
    return this.#stopping;
  }

  /** Every function runs from an image here; POOL endpoints are the pool backend's. */
  validate(spec: ResolvedFunctionSpec): void {
    if (spec.executionMode === 'POOL') {
      throw validationFailed([
        {
          field: 'executionMode',
          rule: 'enum',
          message: 'POOL is not run by the kubernetes backend (DEPLOYMENT or REMOTE)',
        },
      ]);
    }
    if (spec.image === undefined) {
      throw validationFailed([
        { field: 'image', rule: 'required', message: 'is required by the kubernetes backend' },
      ]);
    }
  }

  async ensureFunction(fn: DeployedFunction): Promise<void> {
    this.validate(fn.spec);
    if (this.#stopping !== undefined) return;
    this.#functions.set(fn.spec.name, fn);
    await this.#deploy(fn);
  }

  async reconcile(desired: readonly DeployedFunction[]): Promise<void> {
    const api = this.#api;
    if (api === undefined || this.#stopping !== undefined) return;
    const wanted = new Set(desired.map((fn) => fn.spec.name));
    for (const name of [...this.#functions.keys()]) {
      if (!wanted.has(name)) await this.removeFunction(name);
    }
    for (const fn of desired) {
      this.#functions.set(fn.spec.name, fn);
      // Server-side apply: recreates what is missing, adopts what exists, resets what drifted.
      await this.#deploy(fn);
    }
    await deleteOrphans(
      api,
      desired,
      (job) => this.#jobs?.isWaitedFor(job) ?? false,
      (message, fields) => this.#log.info(fields ?? {}, message),
    );
  }

  async removeFunction(name: string): Promise<void> {
    this.#functions.delete(name);
    const reason = errorInfo('FUNCTION_DELETED', `"${name}" was deleted`);
    const deployment = this.#deployments.get(name);
    this.#deployments.delete(name);
    this.#pods.delete(name);
    await Promise.all([
      deployment?.remove(reason) ?? this.#deleteDeploymentObjects(name),
      this.#jobs?.removeFunction(name),
    ]);
  }

  async scaleFunction(name: string, replicas: number | null): Promise<void> {
    await this.#deployments.get(name)?.pin(replicas);
  }

  async invoke(fn: DeployedFunction, dispatch: Dispatch): Promise<DispatchResult> {
    try {
      if (this.#stopping !== undefined || this.#jobs === undefined) {
        return failure(errorInfo('SHUTTING_DOWN', 'the kubernetes backend is not running'));
      }
      if (!this.#functions.has(fn.spec.name)) {
        return failure(errorInfo('FUNCTION_DELETED', `"${fn.spec.name}" was deleted`));
      }
      if (fn.spec.executionMode === 'REMOTE') return await this.#jobs.run(fn, dispatch);
      let deployment = this.#deployments.get(fn.spec.name);
      if (deployment === undefined || deployment.fn.revision < fn.revision) {
        await this.#deploy(fn);
        deployment = this.#deployments.get(fn.spec.name);
      }
      if (deployment === undefined)
        return failure(errorInfo('FUNCTION_DELETED', `"${fn.spec.name}" was deleted`));
      return await deployment.invoke(dispatch);
    } catch (error) {
      // invoke never rejects (Backend contract).
      const message = error instanceof Error ? error.message : String(error);
      this.#log.error({ err: error, function: fn.spec.name }, 'invoke failed unexpectedly');
      return failure(errorInfo('INTERNAL_ERROR', message));
    }
  }

  async recoverRun(fn: DeployedFunction, dispatch: Dispatch): Promise<DispatchResult | undefined> {
    if (fn.spec.executionMode !== 'REMOTE' || this.#jobs === undefined || this.#stopping !== undefined)
      return undefined;
    try {
      return await this.#jobs.recover(fn, dispatch);
    } catch (error) {
      this.#log.warn(
        { error: describeApiError(error), executionId: dispatch.executionId },
        'cannot recover a run',
      );
      return undefined;
    }
  }

  describeFunction(name: string): FunctionStatus | undefined {
    const deployment = this.#deployments.get(name);
    if (deployment !== undefined) return deployment.describe();
    const fn = this.#functions.get(name);
    if (fn === undefined) return undefined;
    const running = this.#jobs?.runningCount(name) ?? 0;
    const createFailure = this.#jobs?.createFailure(name);
    if (createFailure !== undefined) {
      return {
        state: 'failed',
        replicas: 0,
        readyReplicas: 0,
        message: `one Job per invocation (REMOTE): ${createFailure}`,
      };
    }
    return {
      state: 'ready',
      replicas: 0,
      readyReplicas: 0,
      message: `one Job per invocation (REMOTE): ${running} running`,
    };
  }

  async #deploy(fn: DeployedFunction): Promise<void> {
    const name = fn.spec.name;
    if (fn.spec.executionMode === 'REMOTE') {
      const previous = this.#deployments.get(name);
      this.#deployments.delete(name);
      await (previous?.remove(errorInfo('FUNCTION_UNAVAILABLE', `"${name}" now runs as REMOTE`)) ??
        this.#deleteDeploymentObjects(name));
      return;
    }
    let deployment = this.#deployments.get(name);
    if (deployment === undefined) {
      deployment = new DeploymentFunction(fn, {
        api: this.#api!,
        clock: this.#options.clock,
        clients: this.#options.clients ?? createPodClient,
        autoscaling: this.#options.config,
        queuedCount: (n) => this.#load.queuedCount(n),
        onStateChange: (n, status) => this.#reportState?.(n, status),
        log: (message, fields) => this.#log.warn(fields ?? {}, message),
      });
      this.#deployments.set(name, deployment);
      deployment.setEndpoints(this.#slices?.endpointsOf(name) ?? []);
      deployment.observePods([...(this.#pods.get(name)?.values() ?? [])]);
      await deployment.apply(fn);
      return;
    }
    await deployment.apply(fn);
  }

  async #deleteDeploymentObjects(name: string): Promise<void> {
    const api = this.#api;
    if (api === undefined) return;
    await Promise.all(functionObjects(name).map((ref) => deleteIfOurs(api, ref)));
  }

  #onPod(type: string, pod: V1Pod): void {
    const name = pod.metadata?.labels?.[Labels.function];
    const podName = pod.metadata?.name;
    if (name === undefined || podName === undefined) return;
    let pods = this.#pods.get(name);
    if (!pods) {
      pods = new Map();
      this.#pods.set(name, pods);
    }
    if (type === 'DELETED') pods.delete(podName);
    else pods.set(podName, pod);
    this.#deployments.get(name)?.observePods([...pods.values()]);
  }

  #scheduleTick(): void {
    this.#cancelTick = this.#options.clock.setTimer(() => {
      if (this.#stopping !== undefined) return;
      for (const deployment of this.#deployments.values()) {
        deployment.tick();
        if (deployment.pods.waiting > 0 && deployment.pods.readyCount === 0) {
          this.#slices
            ?.refresh(deployment.name)
            .catch((error: unknown) =>
              this.#log.warn({ error: describeApiError(error) }, 'cannot list EndpointSlices'),
            );
        }
      }
      this.#scheduleTick();
    }, this.#options.config.autoscaleIntervalMs);
  }
}

function failure(error: ReturnType<typeof errorInfo>): DispatchResult {
  return { ok: false, error, coldStart: false };
}
