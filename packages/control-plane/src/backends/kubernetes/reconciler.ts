import type { KubernetesObject, V1Job } from '@kubernetes/client-node';
import type { DeployedFunction } from '../backend.js';
import { finishedHow, jobRef } from './job-runs.js';
import type { KubeApi } from './kube-api.js';
import { Labels, MANAGED_SELECTOR, objectName } from './object-names.js';

/** Kinds of a DEPLOYMENT function's objects, all named `fn-<name>`. */
const FUNCTION_KINDS = [
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
] as const;

export interface ReconcileOutcome {
  /** Objects deleted because no registered function owns them (kind/name). */
  readonly orphansDeleted: string[];
  readonly jobsDeleted: string[];
}

/**
 * The cleaning half of reconciliation (the other half, adopting and recreating, is the server-side
 * apply of every DEPLOYMENT function): deletes objects labelled as ours that no registered function
 * owns — a function deleted while the control plane was down, a DEPLOYMENT function now REMOTE —
 * and finished Jobs no attempt waits for (their Secrets and pods go with them).
 */
export async function deleteOrphans(
  api: KubeApi,
  desired: readonly DeployedFunction[],
  isWaitedFor: (jobName: string) => boolean,
  log: (message: string, fields?: Record<string, unknown>) => void,
): Promise<ReconcileOutcome> {
  const deployments = new Set(
    desired.filter((fn) => fn.spec.executionMode === 'DEPLOYMENT').map((fn) => objectName(fn.spec.name)),
  );
  const registered = new Set(desired.map((fn) => fn.spec.name));
  const orphansDeleted: string[] = [];
  for (const { apiVersion, kind } of FUNCTION_KINDS) {
    const objects = await api.list<KubernetesObject>(apiVersion, kind, MANAGED_SELECTOR);
    for (const object of objects) {
      const name = object.metadata?.name;
      if (name === undefined || deployments.has(name)) continue;
      // An HPA stays only for a function that asks for one; apply deletes it otherwise.
      await api.delete({ apiVersion, kind, name });
      orphansDeleted.push(`${kind}/${name}`);
    }
  }
  const jobsDeleted: string[] = [];
  const jobs = await api.list<V1Job>('batch/v1', 'Job', MANAGED_SELECTOR);
  for (const job of jobs) {
    const name = job.metadata?.name;
    if (name === undefined || isWaitedFor(name)) continue;
    const owner = job.metadata?.labels?.[Labels.jobFunction];
    const orphan = owner === undefined || !registered.has(owner);
    if (orphan || finishedHow(job) !== undefined) {
      await api.delete(jobRef(name));
      jobsDeleted.push(name);
    }
  }
  if (orphansDeleted.length > 0 || jobsDeleted.length > 0) {
    log('reconciliation removed objects no function owns', { orphansDeleted, jobsDeleted });
  }
  return { orphansDeleted, jobsDeleted };
}
