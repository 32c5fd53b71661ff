import type { V1Pod } from '@kubernetes/client-node';

/** Waiting reasons of a container that will not start by itself soon (kubelet vocabulary). */
const STUCK_REASONS = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'CreateContainerError',
  'CreateContainerConfigError',
  'CrashLoopBackOff',
  'RunContainerError',
]);

/**
 * Why a pod cannot serve, in the pod's own words ("CrashLoopBackOff: back-off 10s restarting
 * failed container"), or undefined while it is fine or merely starting. Unschedulable pods say so too.
 */
export function describePodProblem(pod: V1Pod): string | undefined {
  const name = pod.metadata?.name ?? 'a pod';
  for (const status of pod.status?.containerStatuses ?? []) {
    const waiting = status.state?.waiting;
    if (waiting?.reason !== undefined && STUCK_REASONS.has(waiting.reason)) {
      const last = status.lastState?.terminated;
      const exit = last ? ` (last exit code ${last.exitCode}${last.reason ? `, ${last.reason}` : ''})` : '';
      return `pod ${name}: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}${exit}`;
    }
  }
  const unschedulable = pod.status?.conditions?.find(
    (condition) =>
      condition.type === 'PodScheduled' &&
      condition.status === 'False' &&
      condition.reason === 'Unschedulable',
  );
  if (unschedulable) return `pod ${name} cannot be scheduled: ${unschedulable.message ?? 'Unschedulable'}`;
  return undefined;
}
