import { type ErrorInfo, errorInfo, type FunctionStatus } from '@nanofaas/contracts';
import { sleep } from '../../deps/clock.js';
import { Autoscaler } from '../autoscaler.js';
import {
  type DeployedFunction,
  type Dispatch,
  type DispatchResult,
  dispatchResultOf,
  type LoadProbe,
} from '../backend.js';
import type { FunctionAnswer } from '../function-http-client.js';
import { InstanceRouter } from '../instance-router.js';
import type { Acquired } from '../wait-queue.js';
import type { LaunchPlanResult } from './launch-plan.js';
import type { LocalBackendMetrics } from './local-backend-metrics.js';
import { describePool } from './pool-status.js';
import { describeExit } from './process-launcher.js';
import { RestartBackoff } from './restart-backoff.js';
import { ReplicaStartError, WarmReplica, type WarmReplicaDeps } from './warm-replica.js';

export interface ReplicaPoolDeps extends WarmReplicaDeps {
  readonly load: LoadProbe;
  readonly metrics: LocalBackendMetrics;
  /** Resolves where and how the spec runs (workdir, env, command check). */
  planLaunch(fn: DeployedFunction): LaunchPlanResult;
  /** Unique id for a new replica, e.g. `word-stats-r3`. */
  nextInstanceId(functionName: string): string;
  log(message: string): void;
  /** Pushes a change of the pool's state (BackendContext.reportState). */
  reportState?(name: string, status: FunctionStatus): void;
}

/**
 * The warm replicas of one DEPLOYMENT function (DESIGN.md §5, "local"): routes each request to the
 * least-loaded ready replica, never above `concurrency` in flight on one; queues requests (bounded
 * by their timeout) while replicas start; scales with the Autoscaler or a pinned count; replaces
 * crashed replicas with exponential backoff and reports a crash loop as `failed`; rolls replicas to
 * a new revision (new ones up first, old ones drained after).
 */
export class ReplicaPool {
  #fn: DeployedFunction;
  #plan: LaunchPlanResult;
  readonly #deps: ReplicaPoolDeps;
  readonly #replicas = new Set<WarmReplica>();
  readonly #router: InstanceRouter<WarmReplica>;
  #pinned: number | null = null;
  readonly #autoscaler: Autoscaler;
  #desired = 0;
  #lastActivityAt = Number.NEGATIVE_INFINITY;
  readonly #backoff: RestartBackoff;
  #cancelTick: (() => void) | undefined;
  #cancelRetry: (() => void) | undefined;
  #stopping: ErrorInfo | undefined;
  #reportedState: FunctionStatus['state'] | undefined;

  constructor(fn: DeployedFunction, deps: ReplicaPoolDeps) {
    this.#fn = fn;
    this.#deps = deps;
    this.#plan = deps.planLaunch(fn);
    this.#autoscaler = new Autoscaler(deps.config);
    this.#backoff = new RestartBackoff(fn.spec.name, deps.config);
    this.#router = new InstanceRouter<WarmReplica>({
      clock: deps.clock,
      candidates: () => [...this.#replicas].filter((replica) => replica.state === 'ready'),
      limit: () => this.#fn.spec.concurrency,
      preferred: (replica) => replica.revision === this.#fn.revision,
      coldStart: (replica, arrivedAt) => replica.takeColdStart(arrivedAt),
    });
  }

  get name(): string {
    return this.#fn.spec.name;
  }

  get revision(): number {
    return this.#fn.revision;
  }

  start(): void {
    this.#scheduleTick();
    this.#reconcile();
  }

  /** A new revision: new replicas start now, old ones drain once new ones are ready. */
  update(fn: DeployedFunction): void {
    if (fn.revision === this.#fn.revision) return;
    this.#fn = fn;
    this.#plan = this.#deps.planLaunch(fn);
    this.#backoff.reset();
    this.#autoscaler.reset();
    this.#reconcile();
  }

  pin(replicas: number | null): void {
    this.#pinned = replicas;
    this.#autoscaler.reset();
    if (replicas === 0) this.#failWaiters(pinnedToZero(this.name));
    this.#reconcile();
  }

  async invoke(dispatch: Dispatch): Promise<DispatchResult> {
    for (let redispatch = 0; ; redispatch++) {
      const acquired = await this.#acquire(dispatch);
      if (!acquired.ok) return { ok: false, error: acquired.error, coldStart: false };
      const { value: replica, coldStart } = acquired;
      let outcome: FunctionAnswer;
      try {
        outcome = await replica.client.invoke(dispatch, dispatch.requestBody);
      } finally {
        this.#release(replica);
      }
      if (outcome.ok) return dispatchResultOf(outcome, coldStart);
      const { code } = outcome.error;
      if (code === 'BACKEND_UNREACHABLE') this.#recover(replica, 1_000);
      // RUNTIME_UNAVAILABLE: the runtime died under the request; NOT_READY: the watchdog is
      // restarting it and turned the request away unrun. Either way, wait for its health.
      if (code === 'NOT_READY' || code === 'RUNTIME_UNAVAILABLE') {
        this.#recover(replica, this.#deps.config.readyTimeoutMs);
      }
      // A refused connection or a NOT_READY never ran the request: another replica (or this one,
      // once healthy again) can take it within this attempt.
      const unrun = outcome.notDelivered === true || code === 'NOT_READY';
      if (!unrun || redispatch >= 2) return { ok: false, error: outcome.error, coldStart };
    }
  }

  describe(): FunctionStatus {
    return describePool({
      desired: this.#desired,
      pinned: this.#pinned,
      replicas: [...this.#replicas],
      failure: this.#backoff.failure?.message ?? (this.#plan.ok ? undefined : this.#plan.error.message),
      lastFailure: this.#backoff.lastFailure,
      coldStarts: this.#deps.metrics.coldStarts(this.name),
    });
  }

  /**
   * Stops taking work, fails waiting requests with `reason`, lets in-flight requests finish
   * (up to `drainMs`), then stops every replica (SIGTERM, SIGKILL after the stop grace).
   */
  async stop(reason: ErrorInfo, drainMs: number): Promise<void> {
    this.#stopping ??= reason;
    this.#cancelTick?.();
    this.#cancelRetry?.();
    this.#failWaiters(reason);
    await Promise.all([...this.#replicas].map((replica) => this.#retire(replica, drainMs)));
  }

  // --- request routing

  async #acquire(dispatch: Dispatch): Promise<Acquired<WarmReplica>> {
    if (this.#stopping !== undefined) return { ok: false, error: this.#stopping };
    this.#lastActivityAt = this.#deps.clock.now();
    const replica = this.#router.tryAcquire();
    if (replica !== undefined) {
      return { ok: true, value: replica, coldStart: replica.takeColdStart(Number.POSITIVE_INFINITY) };
    }
    const blocked = this.#blockedReason();
    if (blocked !== undefined) return { ok: false, error: blocked };

    const acquired = this.#router.wait(dispatch, () =>
      errorInfo(
        'TIMEOUT',
        `no replica of "${this.name}" had room within ${dispatch.timeoutMs} ms (${this.describe().message ?? 'starting'})`,
        { origin: 'platform' },
      ),
    );
    this.#reconcile();
    return acquired;
  }

  #release(replica: WarmReplica): void {
    this.#lastActivityAt = this.#deps.clock.now();
    this.#router.release(replica);
  }

  #serveWaiters(): void {
    this.#router.serve();
  }

  #blockedReason(): ErrorInfo | undefined {
    if (this.#pinned === 0) return pinnedToZero(this.name);
    if (this.#plan.ok === false) return this.#plan.error;
    return this.#backoff.blocking(this.#deps.clock.now());
  }

  #failWaiters(error: ErrorInfo): void {
    this.#router.failAll(error);
  }

  // --- scaling

  #scheduleTick(): void {
    this.#cancelTick = this.#deps.clock.setTimer(() => {
      if (this.#stopping !== undefined) return;
      // A spec that could not run (missing command or workdir) is checked again: it may exist now.
      if (!this.#plan.ok) this.#plan = this.#deps.planLaunch(this.#fn);
      this.#reconcile();
      this.#scheduleTick();
    }, this.#deps.config.autoscaleIntervalMs);
  }

  #readyReplicas(): WarmReplica[] {
    return [...this.#replicas].filter((replica) => replica.state === 'ready');
  }

  #currentReplicas(): WarmReplica[] {
    return [...this.#replicas].filter(
      (replica) =>
        replica.revision === this.#fn.revision &&
        (replica.state === 'starting' || replica.state === 'ready' || replica.state === 'unhealthy'),
    );
  }

  /** Brings the replica set towards the desired count; cheap, runs on every tick and event. */
  #reconcile(): void {
    if (this.#stopping !== undefined) return;
    const now = this.#deps.clock.now();
    const current = this.#currentReplicas();
    const inFlight = [...this.#replicas].reduce((sum, replica) => sum + replica.inFlight, 0);
    const waiting = this.#router.waiting;
    this.#desired =
      this.#pinned ??
      this.#autoscaler.desiredReplicas(this.#fn.spec.scaling, {
        now,
        current: current.length,
        load: inFlight + waiting + this.#deps.load.queuedCount(this.name),
        waiting,
        lastActivityAt: this.#lastActivityAt,
      });

    if (this.#plan.ok === false) {
      this.#failWaiters(this.#plan.error);
    } else if (current.length < this.#desired) {
      const { restartAt } = this.#backoff;
      if (now >= restartAt) {
        for (let i = current.length; i < this.#desired; i++) this.#startReplica();
      } else {
        this.#scheduleRetry(restartAt - now);
      }
    } else if (current.length > this.#desired) {
      const surplus = [...current]
        .sort((a, b) => Number(a.state === 'ready') - Number(b.state === 'ready') || a.inFlight - b.inFlight)
        .slice(0, current.length - this.#desired);
      for (const replica of surplus) void this.#retire(replica, this.#fn.spec.timeoutMs);
    }
    this.#retireOldRevisions();
    this.#deps.metrics.setReplicas(this.name, this.#desired, this.#readyReplicas().length);
    this.#reportStateChange();
  }

  #reportStateChange(): void {
    if (this.#deps.reportState === undefined) return;
    const status = this.describe();
    if (status.state === this.#reportedState) return;
    this.#reportedState = status.state;
    this.#deps.reportState(this.name, status);
  }

  /** Old-revision replicas keep serving until enough replicas of the new revision are ready. */
  #retireOldRevisions(): void {
    const old = [...this.#replicas].filter(
      (replica) =>
        replica.revision !== this.#fn.revision && replica.state !== 'draining' && replica.state !== 'stopped',
    );
    if (old.length === 0) return;
    const readyCurrent = this.#currentReplicas().filter((replica) => replica.state === 'ready').length;
    const stillNeeded = Math.max(0, this.#desired - readyCurrent);
    const keep = old.filter((replica) => replica.state === 'ready').slice(0, stillNeeded);
    for (const replica of old) {
      if (!keep.includes(replica)) void this.#retire(replica, this.#fn.spec.timeoutMs);
    }
  }

  #scheduleRetry(delayMs: number): void {
    this.#cancelRetry?.();
    this.#cancelRetry = this.#deps.clock.setTimer(() => this.#reconcile(), delayMs);
  }

  // --- replica lifecycle

  #startReplica(): void {
    if (this.#plan.ok === false) return;
    const { plan } = this.#plan;
    const replica = new WarmReplica(
      {
        id: this.#deps.nextInstanceId(this.name),
        spec: this.#fn.spec,
        revision: this.#fn.revision,
        cwd: plan.cwd,
        baseEnv: plan.baseEnv,
        memoryBytes: plan.memoryBytes,
        isolation: plan.isolation,
      },
      this.#deps,
    );
    replica.startedFromZero =
      this.#readyReplicas().length === 0 &&
      (this.#router.waiting > 0 || this.#deps.load.queuedCount(this.name) > 0);
    this.#replicas.add(replica);
    replica.start().then(
      () => this.#onReady(replica),
      (error: unknown) => this.#onStartFailed(replica, error),
    );
  }

  #onReady(replica: WarmReplica): void {
    void replica.exited?.then((status) => this.#onExit(replica, describeExit(status)));
    if (this.#stopping !== undefined) {
      void this.#retire(replica, 0);
      return;
    }
    this.#backoff.recordReady();
    const waitedFor = replica.startedFromZero || this.#router.waiting > 0;
    if (waitedFor) this.#deps.metrics.observeColdStart(this.name, replica.readyAt - replica.startedAt);
    this.#serveWaiters();
    this.#reconcile();
  }

  #onStartFailed(replica: WarmReplica, error: unknown): void {
    this.#replicas.delete(replica);
    if (this.#stopping !== undefined) return;
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof ReplicaStartError && error.code === 'SPAWN_FAILED') {
      // The command cannot start at all: say so now rather than let requests wait for it.
      this.#failWaiters(this.#backoff.recordSpawnFailure(message));
      this.#reportStateChange();
    } else if (replica.stopRequested) {
      return;
    }
    this.#registerFailure(`replica ${replica.id} failed to start: ${message}`);
  }

  #onExit(replica: WarmReplica, how: string): void {
    const wasRunning = this.#replicas.delete(replica);
    if (!wasRunning || replica.stopRequested || this.#stopping !== undefined) return;
    replica.state = 'stopped';
    this.#deps.metrics.countRestart(this.name);
    const message = `replica ${replica.id} ${how}${replica.describeFailure()}`;
    this.#deps.log(`local backend: ${message}`);
    if (this.#deps.clock.now() - replica.readyAt >= this.#deps.config.stableAfterMs) {
      this.#backoff.recordLateExit(message);
      this.#reconcile();
    } else {
      this.#registerFailure(message);
    }
  }

  /** Exponential backoff before the next start; a crash loop marks the function failed. */
  #registerFailure(message: string): void {
    const crashLoop = this.#backoff.recordFailure(message, this.#deps.clock.now());
    if (crashLoop !== undefined) {
      this.#deps.log(`local backend: ${crashLoop.message}`);
      this.#failWaiters(crashLoop);
    }
    this.#reconcile();
  }

  /**
   * A replica that failed a request at the connection level or answered NOT_READY takes no more
   * requests until its health check answers 200 again (within `withinMs`); if it does not, it is
   * stopped and replaced (it may simply have died a moment ago).
   */
  #recover(replica: WarmReplica, withinMs: number): void {
    if (replica.state !== 'ready') return;
    replica.state = 'unhealthy';
    void replica.awaitHealthy(withinMs).then(async (healthy) => {
      if (replica.state !== 'unhealthy' || this.#stopping !== undefined) return;
      if (healthy) {
        replica.state = 'ready';
        this.#serveWaiters();
        return;
      }
      this.#deps.log(`local backend: replica ${replica.id} stopped answering; replacing it`);
      await replica.stop(0);
      this.#replicas.delete(replica);
      this.#reconcile();
    });
  }

  /** Drains a replica (no new requests; waits up to `drainMs` for in-flight ones), then stops it. */
  async #retire(replica: WarmReplica, drainMs: number): Promise<void> {
    if (replica.state === 'stopped') return;
    const wasStarting = replica.state === 'starting';
    replica.state = 'draining';
    if (!wasStarting) {
      const deadline = this.#deps.clock.now() + drainMs;
      while (replica.inFlight > 0 && this.#deps.clock.now() < deadline) await sleep(this.#deps.clock, 20);
    }
    await replica.stop(this.#deps.config.stopGraceMs);
    this.#replicas.delete(replica);
    this.#deps.metrics.setReplicas(this.name, this.#desired, this.#readyReplicas().length);
  }
}

function pinnedToZero(name: string): ErrorInfo {
  return errorInfo(
    'FUNCTION_UNAVAILABLE',
    `"${name}" is pinned to 0 replicas; PUT /v1/functions/${name}/replicas to start it again`,
  );
}
