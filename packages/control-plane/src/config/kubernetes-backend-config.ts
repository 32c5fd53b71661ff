import { ConfigError, type EnvReader } from './env-reader.js';

/** Settings of the Kubernetes backend: functions as pods (docs/kubernetes.md, docs/configuration.md). */
export interface KubernetesBackendConfig {
  /** Namespace of every function object (NANOFAAS_K8S_NAMESPACE). */
  readonly namespace: string;
  /** A kubeconfig file (KUBECONFIG); undefined: in-cluster config, else ~/.kube/config. */
  readonly kubeconfigPath: string | undefined;
  /**
   * CALLBACK_URL of Job pods, e.g. http://nanofaas.nanofaas.svc:8080/v1/internal/executions
   * (NANOFAAS_K8S_CALLBACK_URL). Undefined: the control plane's own callback URL
   * (NANOFAAS_CALLBACK_BASE_URL or the address it listens on).
   */
  readonly callbackUrl: string | undefined;
  /** Interval of the INTERNAL autoscaler, which patches each Deployment's scale subresource. */
  readonly autoscaleIntervalMs: number;
  readonly scaleUpWindowMs: number;
  readonly scaleDownWindowMs: number;
  /** ttlSecondsAfterFinished of REMOTE Jobs. */
  readonly jobTtlSeconds: number;
  /** A Job that ended without calling back gets this long for its callback to land before RUN_LOST. */
  readonly callbackGraceMs: number;
  /**
   * REMOTE payloads up to this size are a plain env value (INVOCATION_PAYLOAD); larger ones are a
   * file of the execution's Secret mounted in the pod (INVOCATION_PAYLOAD_FILE), up to what a
   * Secret holds (SECRET_PAYLOAD_MAX_BYTES).
   */
  readonly payloadEnvMaxBytes: number;
}

/**
 * The largest REMOTE InvocationRequest: the API server refuses a Secret whose data exceeds 1 MiB
 * (the payload, the callback token), so 16 KiB are left for the token and room to spare.
 */
export const SECRET_PAYLOAD_MAX_BYTES = 1024 * 1024 - 16 * 1024;

export function loadKubernetesBackendConfig(reader: EnvReader): KubernetesBackendConfig {
  const ms = (name: string, fallback: number, min = 0) => reader.integer(name, fallback, min);
  const callback = reader.raw('NANOFAAS_K8S_CALLBACK_URL');
  return Object.freeze({
    namespace: namespaceOf(reader),
    kubeconfigPath: reader.raw('KUBECONFIG'),
    callbackUrl: callback === undefined ? undefined : reader.url('NANOFAAS_K8S_CALLBACK_URL', callback),
    autoscaleIntervalMs: ms('NANOFAAS_K8S_AUTOSCALE_INTERVAL_MS', 1_000, 10),
    scaleUpWindowMs: ms('NANOFAAS_K8S_SCALE_UP_WINDOW_MS', 0),
    scaleDownWindowMs: ms('NANOFAAS_K8S_SCALE_DOWN_WINDOW_MS', 30_000),
    jobTtlSeconds: reader.integer('NANOFAAS_K8S_JOB_TTL_SECONDS', 300, 0),
    callbackGraceMs: ms('NANOFAAS_K8S_CALLBACK_GRACE_MS', 2_000),
    payloadEnvMaxBytes: reader.integer('NANOFAAS_K8S_PAYLOAD_ENV_MAX_BYTES', 32 * 1024, 0, 127 * 1024),
  });
}

function namespaceOf(reader: EnvReader): string {
  const namespace = reader.string('NANOFAAS_K8S_NAMESPACE', 'nanofaas');
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace) || namespace.length > 63) {
    throw new ConfigError('NANOFAAS_K8S_NAMESPACE', `must be a DNS-1123 label (got "${namespace}")`);
  }
  return namespace;
}
