import {
  AppsV1Api,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import { statusOf } from './api-errors.js';

/** Field manager of every object the backend applies (server-side apply). */
export const FIELD_MANAGER = 'nanofaas';

/** A reference to one object of the function namespace. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

export type WatchEvent = 'ADDED' | 'MODIFIED' | 'DELETED';

/**
 * What the Kubernetes backend asks of the API server, in its namespace (STYLE.md §6: the
 * Kubernetes client is injected; this interface is declared where it is used).
 */
export interface KubeApi {
  readonly namespace: string;
  /** Server-side apply: creates the object or updates the fields we own (adopting an existing one). */
  apply<T extends KubernetesObject>(object: T): Promise<T>;
  create<T extends KubernetesObject>(object: T): Promise<T>;
  read<T extends KubernetesObject>(ref: ObjectRef): Promise<T | undefined>;
  /** Deletes with background propagation (dependents go too); absent already is fine. */
  delete(ref: ObjectRef): Promise<void>;
  list<T extends KubernetesObject>(apiVersion: string, kind: string, labelSelector?: string): Promise<T[]>;
  /** PATCH the Deployment's scale subresource. */
  scaleDeployment(name: string, replicas: number): Promise<void>;
  /**
   * Lists then watches `path` (a collection URL) and calls `onEvent` for every change; re-lists
   * and re-watches after the watch ends. Returns the function that stops it.
   */
  watch<T extends KubernetesObject>(
    path: string,
    labelSelector: string | undefined,
    onEvent: (type: WatchEvent, object: T) => void,
    onError: (error: unknown) => void,
  ): () => void;
}

/** In-cluster config when running in a pod, else KUBECONFIG / ~/.kube/config. */
export function loadKubeConfig(kubeconfigPath: string | undefined): KubeConfig {
  const config = new KubeConfig();
  if (kubeconfigPath !== undefined) config.loadFromFile(kubeconfigPath);
  else config.loadFromDefault();
  return config;
}

export function createKubeApi(config: KubeConfig, namespace: string): KubeApi {
  const objects = KubernetesObjectApi.makeApiClient(config);
  const apps = config.makeApiClient(AppsV1Api);
  const watcher = new Watch(config);
  const withNamespace = <T extends KubernetesObject>(object: T): T => ({
    ...object,
    metadata: { ...object.metadata, namespace },
  });
  const header = (ref: ObjectRef) => ({
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, namespace },
  });
  return {
    namespace,
    apply: (object) =>
      objects.patch(
        withNamespace(object),
        undefined,
        undefined,
        FIELD_MANAGER,
        true,
        PatchStrategy.ServerSideApply,
      ),
    create: (object) => objects.create(withNamespace(object), undefined, undefined, FIELD_MANAGER),
    async read<T extends KubernetesObject>(ref: ObjectRef) {
      try {
        return (await objects.read(header(ref))) as T;
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async delete(ref) {
      try {
        await objects.delete(header(ref), undefined, undefined, undefined, undefined, 'Background');
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    },
    async list<T extends KubernetesObject>(apiVersion: string, kind: string, labelSelector?: string) {
      const listed = await objects.list<T>(
        apiVersion,
        kind,
        namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        labelSelector,
      );
      return listed.items;
    },
    async scaleDeployment(name, replicas) {
      await apps.patchNamespacedDeploymentScale(
        { name, namespace, body: { spec: { replicas } }, fieldManager: FIELD_MANAGER },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    },
    watch(path, labelSelector, onEvent, onError) {
      let stopped = false;
      let abort: AbortController | undefined;
      let retry: ReturnType<typeof setTimeout> | undefined;
      const start = () => {
        if (stopped) return;
        watcher
          .watch(
            path,
            labelSelector === undefined ? {} : { labelSelector },
            (type, object) => {
              if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') onEvent(type, object);
            },
            (error) => {
              if (stopped) return;
              if (error) onError(error);
              retry = setTimeout(start, error ? 1000 : 0);
              retry.unref();
            },
          )
          .then(
            (controller) => {
              abort = controller;
              if (stopped) controller.abort();
            },
            (error: unknown) => {
              if (stopped) return;
              onError(error);
              retry = setTimeout(start, 1000);
              retry.unref();
            },
          );
      };
      start();
      return () => {
        stopped = true;
        if (retry) clearTimeout(retry);
        abort?.abort();
      };
    },
  };
}
