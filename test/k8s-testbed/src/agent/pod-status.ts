import type {
  V1Container,
  V1ContainerState,
  V1ContainerStatus,
  V1Pod,
  V1PodCondition,
  V1PodStatus,
} from '@kubernetes/client-node';

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

export type ContainerState =
  | { kind: 'waiting'; reason: string; message?: string }
  | { kind: 'running'; startedAt: Date }
  | {
      kind: 'terminated';
      exitCode: number;
      reason: string;
      startedAt: Date;
      finishedAt: Date;
      message?: string;
    };

export interface PodStatusInput {
  pod: V1Pod;
  container: V1Container;
  phase: PodPhase;
  phaseReason: { reason: string; message: string } | undefined;
  podIP: string | undefined;
  hostIP: string;
  startTime: Date;
  state: ContainerState;
  lastTerminated: Extract<ContainerState, { kind: 'terminated' }> | undefined;
  restartCount: number;
  ready: boolean;
  started: boolean;
  /** Remembers when each condition last changed, so lastTransitionTime is only moved on a change. */
  conditionSince: Map<string, { status: string; time: Date }>;
}

/** The fields of a Pod's status the kubelet owns, computed from the runner's state. */
export function buildPodStatus(input: PodStatusInput): V1PodStatus {
  const terminal = input.phase === 'Succeeded' || input.phase === 'Failed';
  const ready = input.ready && !terminal;
  const notReadyReason = terminal
    ? input.phase === 'Succeeded'
      ? 'PodCompleted'
      : 'PodFailed'
    : 'ContainersNotReady';
  const conditions: V1PodCondition[] = [
    condition(input, 'PodReadyToStartContainers', input.podIP !== undefined),
    condition(input, 'Initialized', true, terminal ? notReadyReason : undefined),
    condition(input, 'Ready', ready, ready ? undefined : notReadyReason),
    condition(input, 'ContainersReady', ready, ready ? undefined : notReadyReason),
    condition(input, 'PodScheduled', true),
  ];
  const containerStatuses: V1ContainerStatus[] = input.pod.spec!.containers.map((container, index) =>
    index === 0
      ? {
          name: container.name,
          image: container.image ?? '',
          imageID: '',
          containerID: `nanofaas://${input.pod.metadata!.uid}/${input.restartCount}`,
          ready,
          started: input.started,
          restartCount: input.restartCount,
          state: toContainerState(input.state),
          lastState: input.lastTerminated ? toContainerState(input.lastTerminated) : {},
        }
      : {
          // Only the first container runs (see README: limits).
          name: container.name,
          image: container.image ?? '',
          imageID: '',
          ready: false,
          started: false,
          restartCount: 0,
          state: {
            waiting: { reason: 'NotSupported', message: 'the node agent runs only the first container' },
          },
        },
  );
  return {
    phase: input.phase,
    ...(input.phaseReason ?? {}),
    conditions,
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    ...(input.podIP ? { podIP: input.podIP, podIPs: [{ ip: input.podIP }] } : {}),
    startTime: input.startTime,
    containerStatuses,
  };
}

function condition(input: PodStatusInput, type: string, value: boolean, reason?: string): V1PodCondition {
  const status = value ? 'True' : 'False';
  const previous = input.conditionSince.get(type);
  const since = previous && previous.status === status ? previous.time : new Date();
  input.conditionSince.set(type, { status, time: since });
  return { type, status, lastTransitionTime: since, ...(reason ? { reason } : {}) };
}

function toContainerState(state: ContainerState): V1ContainerState {
  switch (state.kind) {
    case 'waiting':
      return { waiting: { reason: state.reason, ...(state.message ? { message: state.message } : {}) } };
    case 'running':
      return { running: { startedAt: state.startedAt } };
    case 'terminated':
      return {
        terminated: {
          exitCode: state.exitCode,
          reason: state.reason,
          startedAt: state.startedAt,
          finishedAt: state.finishedAt,
          ...(state.message ? { message: state.message } : {}),
        },
      };
  }
}
