import {
  AppsV1Api,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import type { Clock } from '../../deps/clock.js';
import { statusOf } from './api-errors.js';
import { ObjectWatch, type WatchEvent, type WatchSource } from './object-watch.js';

export type { WatchEvent };

/** Field manager of every object the backend applies (server-side apply). */
export const FIELD_MANAGER = 'nanofaas';

/** A reference to one object of the function namespace. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

/** A collection of the function namespace (its path: the lowercase plural of `kind`). */
export interface CollectionRef {
  readonly apiVersion: string;
  readonly kind: string;
}

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
  /**
   * Deletes with background propagation (dependents go too); absent already is fine. With `uid`,
   * only that very object (a precondition: one made again under the name meanwhile is kept, 409).
   */
  delete(ref: ObjectRef, uid?: string): Promise<void>;
  list<T extends KubernetesObject>(apiVersion: string, kind: string, labelSelector?: string): Promise<T[]>;
  /** PATCH the Deployment's scale subresource. */
  scaleDeployment(name: string, replicas: number): Promise<void>;
  /**
   * Lists then watches a collection and calls `onEvent` for every change, with the informer's
   * guarantees (object-watch.ts): after any break it resumes or lists again, and an object deleted
   * meanwhile arrives as DELETED. Returns the function that stops it.
   */
  watch<T extends KubernetesObject>(
    collection: CollectionRef,
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

/** `/api/v1/namespaces/<ns>/pods`, `/apis/apps/v1/namespaces/<ns>/deployments`, ... */
export function collectionPath(collection: CollectionRef, namespace: string): string {
  const group = collection.apiVersion.includes('/')
    ? `/apis/${collection.apiVersion}`
    : `/api/${collection.apiVersion}`;
  return `${group}/namespaces/${namespace}/${collection.kind.toLowerCase()}s`;
}

export function createKubeApi(config: KubeConfig, namespace: string, clock: Clock): KubeApi {
  const objects = KubernetesObjectApi.makeApiClient(config);
  /** The objects of one kind in the namespace, with the list's resourceVersion. */
  const listInNamespace = <T extends KubernetesObject>(
    of: { apiVersion: string; kind: string },
    labelSelector: string | undefined,
  ) =>
    objects.list<T>(
      of.apiVersion,
      of.kind,
      namespace,
      undefined,
      undefined,
      undefined,
      undefined,
      labelSelector,
    );
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
    async delete(ref, uid) {
      try {
        await objects.delete(
          header(ref),
          undefined,
          undefined,
          undefined,
          undefined,
          'Background',
          uid === undefined ? undefined : { preconditions: { uid } },
        );
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    },
    async list<T extends KubernetesObject>(apiVersion: string, kind: string, labelSelector?: string) {
      return (await listInNamespace<T>({ apiVersion, kind }, labelSelector)).items;
    },
    async scaleDeployment(name, replicas) {
      await apps.patchNamespacedDeploymentScale(
        { name, namespace, body: { spec: { replicas } }, fieldManager: FIELD_MANAGER },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    },
    watch<T extends KubernetesObject>(
      collection: CollectionRef,
      labelSelector: string | undefined,
      onEvent: (type: WatchEvent, object: T) => void,
      onError: (error: unknown) => void,
    ) {
      const path = collectionPath(collection, namespace);
      const source: WatchSource<T> = {
        async list() {
          const listed = await listInNamespace<T>(collection, labelSelector);
          return { items: listed.items, resourceVersion: listed.metadata?.resourceVersion ?? '' };
        },
        async watch(resourceVersion, onWatchEvent, onEnd) {
          const controller = await watcher.watch(
            path,
            {
              resourceVersion,
              allowWatchBookmarks: true,
              ...(labelSelector === undefined ? {} : { labelSelector }),
            },
            onWatchEvent,
            (error: unknown) => onEnd(error ?? undefined),
          );
          return () => controller.abort();
        },
      };
      const watch = new ObjectWatch<T>({ source, clock, onEvent, onError });
      watch.start();
      return () => watch.stop();
    },
  };
}
