import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type {
  V1Container,
  V1DownwardAPIVolumeFile,
  V1KeyToPath,
  V1Pod,
  V1Volume,
  V1VolumeProjection,
} from '@kubernetes/client-node';
import { ContainerStartError } from './container-launch.js';

/** One bind mount in the pod's mount namespace. */
export interface PodMount {
  /** Host directory (or file) bound at `target`. */
  source: string;
  /** The container's `mountPath`. */
  target: string;
  readOnly: boolean;
}

export interface VolumeContext {
  /** The pod's state directory: emptyDir and file volumes are materialised under `<dir>/volumes`. */
  podDir: string;
  readData(
    kind: 'ConfigMap' | 'Secret',
    namespace: string,
    name: string,
  ): Promise<Record<string, string> | undefined>;
  /** TokenRequest for the pod's ServiceAccount, bound to the pod (as the kubelet asks for it). */
  requestToken(pod: V1Pod, audience: string | undefined, expirationSeconds: number): Promise<string>;
  /** Host path of the PersistentVolume bound to a claim; throws a ContainerStartError when unbound. */
  claimPath(namespace: string, claimName: string): Promise<string>;
  /** A downward API field (the same set as env fieldRefs). */
  fieldValue(path: string): string;
}

/**
 * The kubelet's volume manager for one pod, without images: every volume the container mounts
 * becomes a host directory bound at its mountPath inside the pod's private mount namespace.
 * Supported: emptyDir, configMap, secret, downwardAPI, projected (serviceAccountToken, configMap,
 * secret, downwardAPI — the ServiceAccount admission plugin's `kube-api-access-*` volume is one),
 * hostPath, and persistentVolumeClaim bound to a hostPath or local PersistentVolume. Anything else
 * keeps the container from starting, with the volume named.
 */
export async function preparePodVolumes(
  pod: V1Pod,
  container: V1Container,
  context: VolumeContext,
): Promise<PodMount[]> {
  const volumes = new Map((pod.spec?.volumes ?? []).map((volume) => [volume.name, volume]));
  const sources = new Map<string, string>();
  const mounts: PodMount[] = [];
  for (const mount of container.volumeMounts ?? []) {
    const volume = volumes.get(mount.name);
    if (!volume) {
      throw new ContainerStartError(
        'CreateContainerConfigError',
        `volumeMount "${mount.name}": no such volume`,
      );
    }
    let source = sources.get(volume.name);
    if (source === undefined) {
      source = await materialise(pod, volume, context);
      sources.set(volume.name, source);
    }
    mounts.push({
      source: mount.subPath ? join(source, mount.subPath) : source,
      target: mount.mountPath,
      // The kubelet mounts these read-only whatever the volumeMount says.
      readOnly: mount.readOnly === true || isFileVolume(volume),
    });
  }
  // Parents before children, so a mount inside another one's directory stays visible.
  return mounts.sort((a, b) => a.target.split('/').length - b.target.split('/').length);
}

function isFileVolume(volume: V1Volume): boolean {
  return Boolean(volume.configMap || volume.secret || volume.downwardAPI || volume.projected);
}

async function materialise(pod: V1Pod, volume: V1Volume, context: VolumeContext): Promise<string> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const dir = join(context.podDir, 'volumes', volume.name);
  if (volume.emptyDir) {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777); // as the kubelet makes it: any user of the pod may write
    return dir;
  }
  if (volume.hostPath) {
    if (volume.hostPath.type === 'DirectoryOrCreate') mkdirSync(volume.hostPath.path, { recursive: true });
    return volume.hostPath.path;
  }
  if (volume.persistentVolumeClaim) {
    return context.claimPath(namespace, volume.persistentVolumeClaim.claimName);
  }
  const files = new Map<string, { content: string; mode: number }>();
  const defaultMode =
    volume.configMap?.defaultMode ??
    volume.secret?.defaultMode ??
    volume.downwardAPI?.defaultMode ??
    volume.projected?.defaultMode ??
    0o644;
  const projections: V1VolumeProjection[] | undefined = volume.projected
    ? (volume.projected.sources ?? [])
    : volume.configMap
      ? [{ configMap: volume.configMap }]
      : volume.secret
        ? [
            {
              secret: {
                name: volume.secret.secretName,
                items: volume.secret.items,
                optional: volume.secret.optional,
              },
            },
          ]
        : volume.downwardAPI
          ? [{ downwardAPI: { items: volume.downwardAPI.items } }]
          : undefined;
  if (!projections) {
    const kind = Object.keys(volume).find((key) => key !== 'name') ?? 'unknown';
    throw new ContainerStartError(
      'CreateContainerConfigError',
      `volume "${volume.name}": ${kind} volumes are not supported by the node agent`,
    );
  }
  for (const projection of projections) {
    if (projection.serviceAccountToken) {
      const { audience, expirationSeconds, path } = projection.serviceAccountToken;
      const token = await context.requestToken(pod, audience, expirationSeconds ?? 3600);
      files.set(path, { content: token, mode: defaultMode });
    }
    const keyRef = projection.configMap ?? projection.secret;
    if (keyRef) {
      const kind = projection.configMap ? 'ConfigMap' : 'Secret';
      const data = await context.readData(kind, namespace, keyRef.name ?? '');
      if (!data) {
        if (keyRef.optional) continue;
        throw new ContainerStartError(
          'CreateContainerConfigError',
          `volume "${volume.name}": ${kind.toLowerCase()} "${keyRef.name}" not found`,
        );
      }
      const items: V1KeyToPath[] = keyRef.items ?? Object.keys(data).map((key) => ({ key, path: key }));
      for (const item of items) {
        const content = data[item.key];
        if (content === undefined) {
          if (keyRef.optional) continue;
          throw new ContainerStartError(
            'CreateContainerConfigError',
            `volume "${volume.name}": key "${item.key}" of ${kind.toLowerCase()} "${keyRef.name}" not found`,
          );
        }
        files.set(item.path, { content, mode: item.mode ?? defaultMode });
      }
    }
    for (const item of projection.downwardAPI?.items ?? ([] as V1DownwardAPIVolumeFile[])) {
      if (!item.fieldRef) continue; // resourceFieldRef: no resources here (as for env)
      files.set(item.path, {
        content: context.fieldValue(item.fieldRef.fieldPath),
        mode: item.mode ?? defaultMode,
      });
    }
  }
  mkdirSync(dir, { recursive: true });
  for (const [path, file] of files) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content, { mode: file.mode });
    chmodSync(target, file.mode);
  }
  return dir;
}
