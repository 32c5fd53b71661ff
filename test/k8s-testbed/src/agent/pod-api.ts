import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import {
  type CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1PodStatus,
} from '@kubernetes/client-node';
import { ContainerStartError } from './container-launch.js';

/** The few API calls a pod runner makes; a small interface so the runner is testable on its own. */
export interface PodApi {
  /** Replaces the status fields the agent owns (JSON merge patch on the status subresource). */
  patchStatus(pod: V1Pod, status: V1PodStatus): Promise<void>;
  /** The kubelet's final step of a graceful deletion: delete with grace 0, guarded by the uid. */
  deleteNow(pod: V1Pod): Promise<void>;
  readData(
    kind: 'ConfigMap' | 'Secret',
    namespace: string,
    name: string,
  ): Promise<Record<string, string> | undefined>;
  /** A token of the pod's ServiceAccount bound to the pod (TokenRequest), as the kubelet gets it. */
  requestToken(pod: V1Pod, audience: string | undefined, expirationSeconds: number): Promise<string>;
  /** Host path of the hostPath or local PersistentVolume bound to a claim. */
  claimPath(namespace: string, claimName: string): Promise<string>;
  /** Records a core/v1 Event about the pod, as `component` (default "kubelet"); best effort. */
  recordEvent(
    pod: V1Pod,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    component?: string,
  ): void;
}

export function isNotFound(error: unknown): boolean {
  return (error as { code?: number } | undefined)?.code === 404;
}

export function createPodApi(core: CoreV1Api, nodeName: string, log: (line: string) => void): PodApi {
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  return {
    async patchStatus(pod, status) {
      await core.patchNamespacedPodStatus(
        { name: pod.metadata!.name!, namespace: pod.metadata!.namespace!, body: { status } },
        mergePatch,
      );
    },
    async deleteNow(pod) {
      try {
        await core.deleteNamespacedPod({
          name: pod.metadata!.name!,
          namespace: pod.metadata!.namespace!,
          gracePeriodSeconds: 0,
          body: { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata!.uid! } },
        });
      } catch (error) {
        if (!isNotFound(error) && (error as { code?: number }).code !== 409) throw error;
      }
    },
    async readData(kind, namespace, name) {
      try {
        if (kind === 'ConfigMap') {
          const configMap = await core.readNamespacedConfigMap({ name, namespace });
          return { ...configMap.data };
        }
        const secret = await core.readNamespacedSecret({ name, namespace });
        const data: Record<string, string> = { ...secret.stringData };
        for (const [key, value] of Object.entries(secret.data ?? {})) {
          data[key] = Buffer.from(value, 'base64').toString('utf8');
        }
        return data;
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async requestToken(pod, audience, expirationSeconds) {
      const request = await core.createNamespacedServiceAccountToken({
        name: pod.spec?.serviceAccountName || 'default',
        namespace: pod.metadata!.namespace!,
        body: {
          spec: {
            // No audience: the API server's own (what in-cluster clients present it).
            audiences: audience ? [audience] : [],
            expirationSeconds,
            boundObjectRef: {
              apiVersion: 'v1',
              kind: 'Pod',
              name: pod.metadata!.name,
              uid: pod.metadata!.uid,
            },
          },
        },
      });
      return request.status!.token;
    },
    async claimPath(namespace, claimName) {
      let claim: V1PersistentVolumeClaim;
      try {
        claim = await core.readNamespacedPersistentVolumeClaim({ name: claimName, namespace });
      } catch (error) {
        if (!isNotFound(error)) throw error;
        throw new ContainerStartError(
          'CreateContainerConfigError',
          `persistentvolumeclaim "${claimName}" not found`,
        );
      }
      const volumeName = claim.spec?.volumeName;
      if (claim.status?.phase !== 'Bound' || !volumeName) {
        throw new ContainerStartError(
          'CreateContainerConfigError',
          `persistentvolumeclaim "${claimName}" is not bound (no matching PersistentVolume yet)`,
        );
      }
      const volume = await core.readPersistentVolume({ name: volumeName });
      const path = volume.spec?.hostPath?.path ?? volume.spec?.local?.path;
      if (!path) {
        throw new ContainerStartError(
          'CreateContainerConfigError',
          `persistentvolume "${volumeName}": only hostPath and local volumes can be mounted by the node agent`,
        );
      }
      mkdirSync(path, { recursive: true });
      return path;
    },
    recordEvent(pod, type, reason, message, component = 'kubelet') {
      const now = new Date();
      core
        .createNamespacedEvent({
          namespace: pod.metadata!.namespace!,
          body: {
            metadata: { name: `${pod.metadata!.name}.${randomBytes(8).toString('hex')}` },
            involvedObject: {
              apiVersion: 'v1',
              kind: 'Pod',
              name: pod.metadata!.name,
              namespace: pod.metadata!.namespace,
              uid: pod.metadata!.uid,
            },
            type,
            reason,
            message,
            source: { component, host: nodeName },
            reportingComponent: component,
            reportingInstance: nodeName,
            firstTimestamp: now,
            lastTimestamp: now,
            count: 1,
          },
        })
        .catch((error: unknown) =>
          log(`event ${reason} for ${pod.metadata?.name} not recorded: ${String(error)}`),
        );
    },
  };
}
