import type { V1Container, V1EnvVar, V1Pod } from '@kubernetes/client-node';
import { findImageEntrypoint, type ImageEntrypoints } from './image-entrypoints.js';

/** What the agent runs for a container: a local process, not an image. */
export interface ContainerLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
}

/** A container that cannot be started; `reason` is the kubelet's waiting reason for it. */
export class ContainerStartError extends Error {
  constructor(
    readonly reason: 'CreateContainerConfigError' | 'CreateContainerError',
    message: string,
  ) {
    super(message);
  }
}

export interface LaunchContext {
  podIP: string;
  hostIP: string;
  nodeName: string;
  /** Variables every container gets before its own env (the `kubernetes` Service's). */
  serviceEnv?: Readonly<Record<string, string>>;
  /** What images without a container command run (see image-entrypoints.ts). */
  imageEntrypoints: ImageEntrypoints;
  /** Reads a ConfigMap's or Secret's data (Secret values decoded); undefined when it does not exist. */
  readData(
    kind: 'ConfigMap' | 'Secret',
    namespace: string,
    name: string,
  ): Promise<Record<string, string> | undefined>;
}

export async function resolveContainerLaunch(
  pod: V1Pod,
  container: V1Container,
  context: LaunchContext,
): Promise<ContainerLaunch> {
  const env = await resolveEnv(pod, container, context);
  const [first, ...rest] = container.command ?? [];
  let command = first;
  let args = [...rest, ...(container.args ?? [])];
  if (command === undefined) {
    // No command: the image's entrypoint with the container's args (images have no CMD here).
    const entrypoint = findImageEntrypoint(container.image, context.imageEntrypoints);
    if (entrypoint === undefined) {
      throw new ContainerStartError(
        'CreateContainerError',
        `the node agent runs commands, not images: image "${container.image}" has no known entrypoint; set the container's command or map the image (imageEntrypoints)`,
      );
    }
    [command] = entrypoint as [string];
    args = [...entrypoint.slice(1), ...(container.args ?? [])];
  }
  return {
    command: expandReferences(command, env),
    args: args.map((arg) => expandReferences(arg, env)),
    env,
    cwd: container.workingDir,
  };
}

/** Kubernetes' `$(VAR)` expansion in command and args; `$$(VAR)` escapes, unknown refs stay as they are. */
export function expandReferences(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && name in env ? env[name]! : match;
  });
}

async function resolveEnv(
  pod: V1Pod,
  container: V1Container,
  context: LaunchContext,
): Promise<Record<string, string>> {
  const namespace = pod.metadata?.namespace ?? 'default';
  // A minimal base environment: the process needs PATH to find commands and HOME for some tools.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    HOSTNAME: pod.metadata?.name ?? '',
    ...context.serviceEnv,
  };
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef;
    if (!ref?.name) continue;
    const kind = source.configMapRef ? 'ConfigMap' : 'Secret';
    const data = await context.readData(kind, namespace, ref.name);
    if (!data) {
      if (ref.optional) continue;
      throw new ContainerStartError(
        'CreateContainerConfigError',
        `${kind.toLowerCase()} "${ref.name}" not found`,
      );
    }
    for (const [key, value] of Object.entries(data)) env[`${source.prefix ?? ''}${key}`] = value;
  }
  for (const variable of container.env ?? []) {
    const value = await resolveEnvVar(pod, variable, env, context);
    if (value !== undefined) env[variable.name] = value;
  }
  // The bind host, unless the container chose one: the nanofaas watchdog and runtimes honour HOST,
  // and on the loopback network (pods share the host's stack) each pod must listen on its own address.
  env.HOST ??= context.podIP;
  return env;
}

async function resolveEnvVar(
  pod: V1Pod,
  variable: V1EnvVar,
  env: Record<string, string>,
  context: LaunchContext,
): Promise<string | undefined> {
  if (variable.value !== undefined) return expandReferences(variable.value, env);
  const from = variable.valueFrom;
  if (!from) return '';
  const namespace = pod.metadata?.namespace ?? 'default';
  if (from.fieldRef) return fieldValue(pod, from.fieldRef.fieldPath, context);
  const keyRef = from.configMapKeyRef ?? from.secretKeyRef;
  if (keyRef) {
    const kind = from.configMapKeyRef ? 'ConfigMap' : 'Secret';
    const data = await context.readData(kind, namespace, keyRef.name ?? '');
    const value = data?.[keyRef.key];
    if (value === undefined && !keyRef.optional) {
      throw new ContainerStartError(
        'CreateContainerConfigError',
        `env ${variable.name}: key "${keyRef.key}" of ${kind.toLowerCase()} "${keyRef.name}" not found`,
      );
    }
    return value;
  }
  // resourceFieldRef: the agent enforces no resources; report nothing rather than a made-up value.
  return undefined;
}

/** A downward API field of the pod (env fieldRef and downwardAPI volume items). */
export function fieldValue(
  pod: V1Pod,
  path: string,
  context: Pick<LaunchContext, 'podIP' | 'hostIP' | 'nodeName'>,
): string {
  const labelOrAnnotation = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (labelOrAnnotation) {
    const map = labelOrAnnotation[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations;
    return map?.[labelOrAnnotation[2]!] ?? '';
  }
  switch (path) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'spec.nodeName':
      return context.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
    case 'status.podIPs':
      return context.podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return context.hostIP;
    default:
      throw new ContainerStartError('CreateContainerConfigError', `unsupported fieldRef ${path}`);
  }
}
