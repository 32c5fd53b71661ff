import type { V1Job, V1Secret } from '@kubernetes/client-node';
import { type ResolvedFunctionSpec, WatchdogEnv } from '@nanofaas/contracts';
import { type OneShotRun, oneShotFunctionEnv } from '../function-env.js';
import { podSpec } from './function-manifests.js';
import { jobLabels, jobName } from './object-names.js';

/** Keys of an execution's Secret. */
export const SecretKeys = Object.freeze({ token: 'callback-token', payload: 'invocation-payload' });

export interface JobRun extends OneShotRun {
  readonly attempt: number;
  /** The InvocationRequest as JSON (INVOCATION_PAYLOAD). */
  readonly payloadJson: string;
  /** true: INVOCATION_PAYLOAD comes from the Secret too (too large for a plain env value). */
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
 * CALLBACK_TOKEN, which like a large payload comes from the execution's Secret (secretKeyRef).
 */
export function jobManifest(spec: ResolvedFunctionSpec, run: JobRun, options: JobOptions): V1Job {
  const name = jobName(spec.name, run.executionId, run.attempt);
  const labels = jobLabels(spec.name, run.executionId, run.attempt);
  const env: Record<string, string> = {
    ...(spec.env ?? {}),
    ...oneShotFunctionEnv(spec, run),
    ...(run.payloadInSecret ? {} : { [WatchdogEnv.invocationPayload]: run.payloadJson }),
  };
  // The function's own env cannot shadow what comes from the Secret.
  delete env[WatchdogEnv.callbackToken];
  if (run.payloadInSecret) delete env[WatchdogEnv.invocationPayload];
  const keys: Record<string, string> = { [WatchdogEnv.callbackToken]: SecretKeys.token };
  if (run.payloadInSecret) keys[WatchdogEnv.invocationPayload] = SecretKeys.payload;
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
          restartPolicy: 'Never',
          probes: false,
          terminationGracePeriodSeconds: 5,
        }),
      },
    },
  };
}

/** The execution's Secret, owned by its Job so the garbage collector removes both together. */
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
    stringData: {
      [SecretKeys.token]: token,
      ...(run.payloadInSecret ? { [SecretKeys.payload]: run.payloadJson } : {}),
    },
  };
}
