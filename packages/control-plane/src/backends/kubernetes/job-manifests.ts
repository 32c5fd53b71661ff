import type { V1Job, V1Secret } from '@kubernetes/client-node';
import { type ResolvedFunctionSpec, WatchdogEnv } from '@nanofaas/contracts';
import { type OneShotRun, oneShotFunctionEnv } from '../function-env.js';
import { podSpec } from './function-manifests.js';
import { jobLabels, jobName } from './object-names.js';

/** Keys of an execution's Secret. */
export const SecretKeys = Object.freeze({ token: 'callback-token', payload: 'invocation-payload' });

/**
 * Where a payload kept in the Secret appears in the Job's pod: one file of a Secret volume that
 * projects only that key (the callback token stays an env value, never a file the function could
 * read), named by INVOCATION_PAYLOAD_FILE.
 */
export const PayloadVolume = Object.freeze({
  name: 'invocation-payload',
  mountPath: '/var/run/nanofaas/invocation',
  file: 'payload.json',
  /** Readable by the container's non-root uid (no fsGroup is set); it is the run's own input. */
  mode: 0o444,
});

export interface JobRun extends OneShotRun {
  readonly attempt: number;
  /** The InvocationRequest as JSON (INVOCATION_PAYLOAD). */
  readonly payloadJson: string;
  /**
   * true: the payload is too large for a plain env value: it is kept in the Secret and read by the
   * watchdog from the file INVOCATION_PAYLOAD_FILE names (a Secret volume), not from the env.
   */
  readonly payloadInSecret: boolean;
}

export interface JobOptions {
  readonly namespace: string;
  readonly ttlSecondsAfterFinished: number;
}

/**
 * Job `fn-<name>-<short id>` of one REMOTE attempt (spec: "ONE-SHOT (ExecutionMode = REMOTE, un Job
 * per invocazione)"): restartPolicy Never, backoffLimit 0 (the scheduler retries, not the Job
 * controller), activeDeadlineSeconds from the timeout, and the spec's Job env table exactly, plus
 * CALLBACK_TOKEN, which comes from the execution's Secret (secretKeyRef). A payload too large for
 * one env value (Linux caps one at 128 KiB) comes from that Secret too, as a file of a Secret volume
 * named by INVOCATION_PAYLOAD_FILE in place of INVOCATION_PAYLOAD (the watchdog reads either).
 */
export function jobManifest(spec: ResolvedFunctionSpec, run: JobRun, options: JobOptions): V1Job {
  const name = jobName(spec.name, run.executionId, run.attempt);
  const labels = jobLabels(spec.name, run.executionId, run.attempt);
  const env: Record<string, string> = { ...(spec.env ?? {}), ...oneShotFunctionEnv(spec, run) };
  // The function's own env cannot shadow what the platform passes (the watchdog refuses both
  // payload variables at once).
  delete env[WatchdogEnv.callbackToken];
  delete env[WatchdogEnv.invocationPayload];
  delete env[WatchdogEnv.invocationPayloadFile];
  if (run.payloadInSecret)
    env[WatchdogEnv.invocationPayloadFile] = `${PayloadVolume.mountPath}/${PayloadVolume.file}`;
  else env[WatchdogEnv.invocationPayload] = run.payloadJson;
  const keys: Record<string, string> = { [WatchdogEnv.callbackToken]: SecretKeys.token };
  // Pods get a few seconds beyond the timeout: the watchdog enforces TIMEOUT_MS and calls back.
  const deadlineSeconds = Math.ceil(run.timeoutMs / 1000) + 10;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: options.namespace, labels },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: deadlineSeconds,
      ttlSecondsAfterFinished: options.ttlSecondsAfterFinished,
      template: {
        metadata: { labels },
        spec: podSpec(spec, {
          env,
          secretEnv: { secretName: name, keys },
          ...(run.payloadInSecret ? { secretFile: payloadFile(name) } : {}),
          restartPolicy: 'Never',
          probes: false,
          terminationGracePeriodSeconds: 5,
        }),
      },
    },
  };
}

function payloadFile(secretName: string) {
  return {
    volumeName: PayloadVolume.name,
    secretName,
    key: SecretKeys.payload,
    mountPath: PayloadVolume.mountPath,
    file: PayloadVolume.file,
    mode: PayloadVolume.mode,
  };
}

/**
 * The execution's Secret, owned by its Job so the garbage collector removes both together. The
 * payload goes in as bytes (base64 `data`: the request body is valid UTF-8, so these are the
 * caller's bytes), and the file the run reads holds them exactly.
 */
export function secretManifest(
  job: { readonly name: string; readonly uid: string },
  spec: ResolvedFunctionSpec,
  run: JobRun,
  token: string,
  namespace: string,
): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: job.name,
      namespace,
      labels: jobLabels(spec.name, run.executionId, run.attempt),
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: job.name,
          uid: job.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    stringData: { [SecretKeys.token]: token },
    ...(run.payloadInSecret
      ? {
          data: {
            [SecretKeys.payload]: Buffer.from(run.payloadJson, 'utf8').toString('base64'),
          },
        }
      : {}),
  };
}
