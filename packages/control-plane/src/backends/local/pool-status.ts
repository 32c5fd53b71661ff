import type { FunctionState, FunctionStatus } from '@nanofaas/contracts';
import type { WarmReplica } from './warm-replica.js';

/** What a replica pool knows about itself at one moment. */
export interface PoolSnapshot {
  readonly desired: number;
  readonly pinned: number | null;
  readonly replicas: readonly WarmReplica[];
  /** Why the function cannot run at all (crash loop, missing command or workdir). */
  readonly failure: string | undefined;
  /** The last replica failure since the spec last changed. */
  readonly lastFailure: string | undefined;
  readonly coldStarts: number;
}

/**
 * `status` of GET /v1/functions/{name} for a DEPLOYMENT function: the FunctionStatus fields plus
 * `pinned`, `coldStarts` and every instance (pid, loopback port, state, revision, in flight).
 */
export function describePool(snapshot: PoolSnapshot): FunctionStatus {
  const ready = snapshot.replicas.filter((replica) => replica.state === 'ready').length;
  const status = (state: FunctionState, message?: string): FunctionStatus => ({
    state,
    replicas: snapshot.desired,
    readyReplicas: ready,
    ...(message === undefined ? {} : { message }),
    ...{
      pinned: snapshot.pinned,
      coldStarts: snapshot.coldStarts,
      instances: snapshot.replicas.map((replica) => ({
        id: replica.id,
        pid: replica.pid,
        port: replica.port,
        state: replica.state,
        revision: replica.revision,
        inFlight: replica.inFlight,
      })),
    },
  });
  const { failure, lastFailure } = snapshot;
  if (failure !== undefined) return status('failed', failure);
  if (snapshot.desired === 0 && snapshot.replicas.length === 0) {
    return status(
      'scaled-to-zero',
      snapshot.pinned === 0 ? 'pinned to 0 replicas' : 'scaled to zero; the next request starts one',
    );
  }
  if (ready === 0)
    return status('pending', lastFailure === undefined ? 'starting' : `restarting after: ${lastFailure}`);
  if (ready < snapshot.desired && lastFailure !== undefined) return status('degraded', lastFailure);
  return status('ready');
}
