import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeApi, ObjectRef } from './kube-api.js';
import { Labels, MANAGED_BY_VALUE } from './object-names.js';

/** Whether an object carries our label (`app.kubernetes.io/managed-by: nanofaas`). */
export function isManagedByUs(object: KubernetesObject): boolean {
  return object.metadata?.labels?.[Labels.managedBy] === MANAGED_BY_VALUE;
}

/**
 * Why the backend will not take over an object of a function's name, or undefined when the name
 * is free or the object is ours. Server-side apply with force would silently adopt (and rewrite) a
 * Deployment or Service that someone else made under `fn-<name>`, and its pods would receive the
 * function's requests: a name taken by an object not labelled as ours is a conflict (409) the
 * operator resolves, shown in the function's state.
 */
export async function describeNameConflict(api: KubeApi, ref: ObjectRef): Promise<string | undefined> {
  const existing = await api.read<KubernetesObject>(ref);
  if (existing === undefined || isManagedByUs(existing)) return undefined;
  const owner = existing.metadata?.labels?.[Labels.managedBy];
  return (
    `409 Conflict: ${ref.kind} ${ref.name} already exists in namespace "${api.namespace}" and is not managed by nanofaas ` +
    `(label ${Labels.managedBy}=${owner ?? '<none>'}, not ${MANAGED_BY_VALUE}); it is left as it is: delete or rename it, ` +
    'or register the function under another name'
  );
}

/** Deletes the object of that name only if it is ours (and only that very object: uid precondition). */
export async function deleteIfOurs(api: KubeApi, ref: ObjectRef): Promise<void> {
  const existing = await api.read<KubernetesObject>(ref);
  if (existing === undefined || !isManagedByUs(existing)) return;
  try {
    await api.delete(ref, existing.metadata?.uid);
  } catch (error) {
    // 409: the precondition failed, the object was replaced meanwhile (not the one we read).
    if ((error as { code?: unknown }).code !== 409) throw error;
  }
}
