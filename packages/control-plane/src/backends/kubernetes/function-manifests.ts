import type {
  V1Container,
  V1Deployment,
  V1EnvVar,
  V1PodSecurityContext,
  V1PodSpec,
  V1ResourceRequirements,
  V1SecurityContext,
  V1Service,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import type { ResolvedFunctionSpec } from '@nanofaas/contracts';
import type { DeployedFunction } from '../backend.js';
import { warmFunctionEnv } from '../function-env.js';
import {
  Annotations,
  CONTAINER_NAME,
  FUNCTION_PORT,
  functionLabels,
  Labels,
  objectName,
} from './object-names.js';

/** CPU target of an HPA function (spec: "metric: cpu 50%"). */
export const HPA_CPU_UTILIZATION = 50;
/** An HPA computes utilisation against the CPU request, so an HPA function without one gets this. */
export const HPA_DEFAULT_CPU_REQUEST = '100m';
/** The uid function containers run as: non-root, as a restricted namespace requires. */
export const FUNCTION_UID = 65532;

/** The spec's env entries followed by nothing else: the function's env, then the table (which wins). */
export function envList(entries: Record<string, string>): V1EnvVar[] {
  return Object.entries(entries).map(([name, value]) => ({ name, value }));
}

/**
 * Deployment `fn-<name>` (spec, "Risorse K8s per funzione"): the pod env is exactly the spec's
 * Deployment table plus the function's `env`; `replicas` undefined leaves the count to whoever
 * scales it (the HPA), else it is the count the control plane wants now.
 */
export function deploymentManifest(fn: DeployedFunction, namespace: string, replicas?: number): V1Deployment {
  const { spec } = fn;
  const labels = functionLabels(spec.name);
  const revision = String(fn.revision);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: objectName(spec.name),
      namespace,
      labels,
      annotations: { [Annotations.revision]: revision },
    },
    spec: {
      ...(replicas !== undefined ? { replicas } : {}),
      selector: { matchLabels: { [Labels.app]: labels[Labels.app]!, [Labels.function]: spec.name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels, annotations: { [Annotations.revision]: revision } },
        spec: podSpec(spec, {
          env: { ...(spec.env ?? {}), ...warmFunctionEnv(spec) },
          restartPolicy: 'Always',
          probes: true,
          terminationGracePeriodSeconds: Math.ceil(spec.timeoutMs / 1000) + 5,
        }),
      },
    },
  };
}

/** Service `fn-<name>`: ClusterIP, port 8080, selector `function: <name>`. */
export function serviceManifest(spec: ResolvedFunctionSpec, namespace: string): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: objectName(spec.name), namespace, labels: functionLabels(spec.name) },
    spec: {
      type: 'ClusterIP',
      selector: { [Labels.function]: spec.name },
      ports: [{ name: 'http', port: FUNCTION_PORT, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

/** HPA `fn-<name>` (autoscaling/v2) for `scaling.strategy: HPA`: min/max replicas, CPU 50 %. */
export function hpaManifest(spec: ResolvedFunctionSpec, namespace: string): V2HorizontalPodAutoscaler {
  const minReplicas = Math.max(1, spec.scaling.minReplicas);
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: objectName(spec.name), namespace, labels: functionLabels(spec.name) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: objectName(spec.name) },
      minReplicas,
      maxReplicas: Math.max(minReplicas, spec.scaling.maxReplicas),
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: HPA_CPU_UTILIZATION } },
        },
      ],
    },
  };
}

export interface PodSpecOptions {
  readonly env: Record<string, string>;
  /** Entries read from a Secret (name → key in `secretName`). */
  readonly secretEnv?: { readonly secretName: string; readonly keys: Record<string, string> };
  /** One key of a Secret as a read-only file at `{mountPath}/{file}` (a Secret volume projecting only it). */
  readonly secretFile?: {
    readonly volumeName: string;
    readonly secretName: string;
    readonly key: string;
    readonly mountPath: string;
    readonly file: string;
    readonly mode: number;
  };
  readonly restartPolicy: 'Always' | 'Never';
  readonly probes: boolean;
  readonly terminationGracePeriodSeconds: number;
  readonly activeDeadlineSeconds?: number;
}

/**
 * One container, `image` with its own entrypoint unless `command` overrides it: without a
 * runtimeCommand the image serves /invoke and /health itself (spec, "Approccio 1"); with one the
 * image's entrypoint is the watchdog, which runs WATCHDOG_CMD (approaches 2-4, Dockerfile.combined).
 */
export function podSpec(spec: ResolvedFunctionSpec, options: PodSpecOptions): V1PodSpec {
  const env = envList(options.env);
  if (options.secretEnv) {
    const { secretName, keys } = options.secretEnv;
    for (const [name, key] of Object.entries(keys))
      env.push({ name, valueFrom: { secretKeyRef: { name: secretName, key } } });
  }
  const container: V1Container = {
    name: CONTAINER_NAME,
    image: spec.image ?? '',
    ...(spec.command !== undefined ? { command: [...spec.command] } : {}),
    env,
    ports: [{ name: 'http', containerPort: FUNCTION_PORT, protocol: 'TCP' }],
    resources: resources(spec),
    securityContext: containerSecurityContext,
  };
  const { secretFile } = options;
  if (secretFile) {
    container.volumeMounts = [
      { name: secretFile.volumeName, mountPath: secretFile.mountPath, readOnly: true },
    ];
  }
  if (options.probes) {
    const health = { httpGet: { path: '/health', port: 'http' } };
    // The watchdog answers /health once its runtime does (it polls every 50 ms for up to 10 s).
    container.startupProbe = { ...health, periodSeconds: 1, failureThreshold: 120, timeoutSeconds: 2 };
    container.readinessProbe = { ...health, periodSeconds: 2, failureThreshold: 2, timeoutSeconds: 2 };
    container.livenessProbe = { ...health, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 3 };
  }
  return {
    containers: [container],
    ...(secretFile
      ? {
          volumes: [
            {
              name: secretFile.volumeName,
              secret: {
                secretName: secretFile.secretName,
                items: [{ key: secretFile.key, path: secretFile.file, mode: secretFile.mode }],
                defaultMode: secretFile.mode,
              },
            },
          ],
        }
      : {}),
    restartPolicy: options.restartPolicy,
    // Function code is untrusted: no API credentials, and no env beyond the spec's table.
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: podSecurityContext,
    terminationGracePeriodSeconds: options.terminationGracePeriodSeconds,
    ...(options.activeDeadlineSeconds !== undefined
      ? { activeDeadlineSeconds: options.activeDeadlineSeconds }
      : {}),
    ...(spec.imagePullSecrets !== undefined
      ? { imagePullSecrets: spec.imagePullSecrets.map((name) => ({ name })) }
      : {}),
  };
}

/** What the "restricted" Pod Security Standard asks of a pod. */
const podSecurityContext: V1PodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: FUNCTION_UID,
  runAsGroup: FUNCTION_UID,
  seccompProfile: { type: 'RuntimeDefault' },
};

const containerSecurityContext: V1SecurityContext = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  runAsNonRoot: true,
};

/** requests from `resources`; a memory limit equal to the request (CPU is not limited: no throttling). */
function resources(spec: ResolvedFunctionSpec): V1ResourceRequirements {
  const requests: Record<string, string> = {};
  const cpu = spec.resources?.cpu ?? (spec.scaling.strategy === 'HPA' ? HPA_DEFAULT_CPU_REQUEST : undefined);
  if (cpu !== undefined) requests['cpu'] = cpu;
  if (spec.resources?.memory !== undefined) requests['memory'] = spec.resources.memory;
  const limits: Record<string, string> = {};
  if (spec.resources?.memory !== undefined) limits['memory'] = spec.resources.memory;
  return {
    ...(Object.keys(requests).length > 0 ? { requests } : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
  };
}
