import { createHash } from 'node:crypto';

/**
 * Names and labels of the objects the Kubernetes backend owns (spec, "Risorse K8s per funzione";
 * docs/kubernetes.md). Function names are DNS-1123 labels of at most 52 characters, so `fn-<name>`
 * and `fn-<name>-<10 characters>` stay within the 63 of a label value and a Job's pod names.
 */
export const Labels = Object.freeze({
  app: 'app',
  function: 'function',
  managedBy: 'app.kubernetes.io/managed-by',
  /** On Jobs, their Secrets and pods: the function (not `function`, which the Service selects). */
  jobFunction: 'nanofaas.io/function',
  execution: 'nanofaas.io/execution',
  attempt: 'nanofaas.io/attempt',
});

export const Annotations = Object.freeze({
  /** The function's revision: a new one changes the pod template, so the Deployment rolls. */
  revision: 'nanofaas.io/revision',
});

export const APP_LABEL_VALUE = 'nanofaas';
export const MANAGED_BY_VALUE = 'nanofaas';
/** Selects every object of ours in the namespace (reconciliation, orphan cleanup). */
export const MANAGED_SELECTOR = `${Labels.managedBy}=${MANAGED_BY_VALUE}`;
/** The port every function pod serves /invoke and /health on (spec: Service port 8080). */
export const FUNCTION_PORT = 8080;
export const CONTAINER_NAME = 'function';

/** Deployment, Service and HPA of a DEPLOYMENT function. */
export function objectName(functionName: string): string {
  return `fn-${functionName}`;
}

/** The function a `fn-<name>` object belongs to, or undefined for a name not of that shape. */
export function functionOfObject(objectName: string): string | undefined {
  return objectName.startsWith('fn-') ? objectName.slice(3) : undefined;
}

/** Labels of a DEPLOYMENT function's objects and pods; `function` is what its Service selects. */
export function functionLabels(functionName: string): Record<string, string> {
  return {
    [Labels.app]: APP_LABEL_VALUE,
    [Labels.function]: functionName,
    [Labels.managedBy]: MANAGED_BY_VALUE,
  };
}

/**
 * Job (and Secret) of one REMOTE attempt: `fn-<name>-<short id>`, the short id 7 base-36 digits
 * of a hash of execution id and attempt (at most 63 characters, the limit of the `job-name`
 * label the Job controller sets; execution ids start with a timestamp, so no prefix of one will do).
 */
export function jobName(functionName: string, executionId: string, attempt: number): string {
  const digest = createHash('sha256').update(`${executionId}:${attempt}`).digest();
  const short = digest.readBigUInt64BE(0).toString(36).padStart(7, '0').slice(-7);
  return `fn-${functionName}-${short}`;
}

export function jobLabels(
  functionName: string,
  executionId: string,
  attempt: number,
): Record<string, string> {
  return {
    [Labels.app]: APP_LABEL_VALUE,
    [Labels.managedBy]: MANAGED_BY_VALUE,
    [Labels.jobFunction]: functionName,
    [Labels.execution]: labelValue(executionId),
    [Labels.attempt]: String(attempt),
  };
}

/** A label value: at most 63 of [A-Za-z0-9-_.], starting and ending alphanumeric. */
function labelValue(value: string): string {
  return value
    .replace(/[^A-Za-z0-9._-]/g, '')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}
