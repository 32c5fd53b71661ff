import type { ResolvedFunctionSpec } from '@nanofaas/contracts';

export interface AutoscalerOptions {
  /** A higher count must be recommended for this long before it is applied (0: at once). */
  readonly scaleUpWindowMs: number;
  /** A lower (non-zero) count must be recommended for this long; capped by the idle timeout. */
  readonly scaleDownWindowMs: number;
}

export interface LoadSample {
  readonly now: number;
  /** Replicas of the current revision that are starting or ready. */
  readonly current: number;
  /** In flight on replicas + waiting for a replica + queued in the scheduler. */
  readonly load: number;
  /** Requests waiting for a replica right now (they force a cold start from zero). */
  readonly waiting: number;
  /** When the last request arrived or finished (-Infinity: never). */
  readonly lastActivityAt: number;
}

/** Recommendations of one time slice: the window checks need only their extremes. */
interface Recommendation {
  readonly at: number;
  min: number;
  max: number;
}

/** Recommendations closer together than this share one history entry, bounding the history. */
const SLICE_MS = 100;

/**
 * The INTERNAL scaling strategy (DESIGN.md §5): desired = ceil(load / targetInFlight) within
 * minReplicas..maxReplicas, with stabilisation windows like Kubernetes' HPA: a scale-up applies
 * the lowest recommendation of the up window, a scale-down the highest of the down window, so a
 * short spike or lull does not make replicas flap. With minReplicas 0 one replica stays until the
 * function has been idle for `idleTimeoutMs`, then it scales to zero; a request arriving at zero
 * replicas starts one at once (cold start).
 */
export class Autoscaler {
  readonly #options: AutoscalerOptions;
  #history: Recommendation[] = [];

  constructor(options: AutoscalerOptions) {
    this.#options = options;
  }

  desiredReplicas(scaling: ResolvedFunctionSpec['scaling'], sample: LoadSample): number {
    const { minReplicas, maxReplicas, targetInFlight, idleTimeoutMs } = scaling;
    const active = sample.load > 0 || sample.now - sample.lastActivityAt < idleTimeoutMs;
    const floor = Math.max(minReplicas, active ? 1 : 0);
    const raw = clamp(Math.ceil(sample.load / targetInFlight), floor, maxReplicas);
    const downWindowMs = Math.min(this.#options.scaleDownWindowMs, idleTimeoutMs);
    this.#record(sample.now, raw, Math.max(this.#options.scaleUpWindowMs, downWindowMs));

    if (raw > sample.current) {
      if (sample.current === 0 && sample.waiting > 0) return raw;
      const sustained = this.#extreme(sample.now, this.#options.scaleUpWindowMs, Math.min);
      return Math.max(sample.current, Math.min(raw, sustained));
    }
    if (raw < sample.current) {
      // Idle for idleTimeoutMs already: the wait is over.
      if (raw === 0) return 0;
      const sustained = this.#extreme(sample.now, downWindowMs, Math.max);
      return Math.min(sample.current, Math.max(raw, sustained));
    }
    return raw;
  }

  /** Forgets the history (after a pin is lifted or the spec changed). */
  reset(): void {
    this.#history = [];
  }

  #record(now: number, replicas: number, keepMs: number): void {
    const last = this.#history.at(-1);
    if (last !== undefined && now - last.at < SLICE_MS) {
      last.min = Math.min(last.min, replicas);
      last.max = Math.max(last.max, replicas);
    } else {
      this.#history.push({ at: now, min: replicas, max: replicas });
    }
    const oldest = now - keepMs;
    while (this.#history.length > 1 && (this.#history[0]?.at ?? now) < oldest) this.#history.shift();
  }

  #extreme(now: number, windowMs: number, pick: typeof Math.min | typeof Math.max): number {
    const values = this.#history
      .filter((entry) => entry.at >= now - windowMs)
      .map((entry) => (pick === Math.min ? entry.min : entry.max));
    return pick(...values);
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
