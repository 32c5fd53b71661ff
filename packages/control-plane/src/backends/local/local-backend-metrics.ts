/** Upper bounds (seconds) of the cold-start duration histogram. */
const COLD_START_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface FunctionSeries {
  replicas: number;
  readyReplicas: number;
  coldStarts: number;
  restarts: number;
  oneShotRuns: number;
  bucketCounts: number[];
  coldStartSumSeconds: number;
}

/**
 * The local backend's own metrics, rendered in the Prometheus text format and appended to the
 * control plane's GET /metrics: replicas, cold starts and their duration, restarts, one-shot runs.
 */
export class LocalBackendMetrics {
  readonly #series = new Map<string, FunctionSeries>();

  setReplicas(functionName: string, replicas: number, readyReplicas: number): void {
    const series = this.#get(functionName);
    series.replicas = replicas;
    series.readyReplicas = readyReplicas;
  }

  /** A replica started while requests waited for it; `durationMs` from spawn to ready. */
  observeColdStart(functionName: string, durationMs: number): void {
    const series = this.#get(functionName);
    const seconds = durationMs / 1000;
    series.coldStarts++;
    series.coldStartSumSeconds += seconds;
    COLD_START_BUCKETS.forEach((bound, index) => {
      if (seconds <= bound) series.bucketCounts[index] = (series.bucketCounts[index] ?? 0) + 1;
    });
  }

  countRestart(functionName: string): void {
    this.#get(functionName).restarts++;
  }

  countOneShotRun(functionName: string): void {
    this.#get(functionName).oneShotRuns++;
  }

  coldStarts(functionName: string): number {
    return this.#series.get(functionName)?.coldStarts ?? 0;
  }

  forget(functionName: string): void {
    this.#series.delete(functionName);
  }

  render(): string {
    const lines: string[] = [];
    const family = (name: string, type: string, help: string, value: (s: FunctionSeries) => number) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [fn, series] of this.#series) lines.push(`${name}{function="${fn}"} ${value(series)}`);
    };
    family('nanofaas_local_replicas', 'gauge', 'Replicas wanted now.', (s) => s.replicas);
    family('nanofaas_local_ready_replicas', 'gauge', 'Replicas answering requests.', (s) => s.readyReplicas);
    family(
      'nanofaas_local_cold_starts_total',
      'counter',
      'Replica starts requests waited for.',
      (s) => s.coldStarts,
    );
    family(
      'nanofaas_local_replica_restarts_total',
      'counter',
      'Replicas replaced after a crash.',
      (s) => s.restarts,
    );
    family(
      'nanofaas_local_one_shot_runs_total',
      'counter',
      'One-shot (REMOTE) runs started.',
      (s) => s.oneShotRuns,
    );
    const histogram = 'nanofaas_local_cold_start_duration_seconds';
    lines.push(
      `# HELP ${histogram} Time from spawning a replica to its first 200 on /health, for cold starts.`,
    );
    lines.push(`# TYPE ${histogram} histogram`);
    for (const [fn, series] of this.#series) {
      COLD_START_BUCKETS.forEach((bound, index) => {
        lines.push(`${histogram}_bucket{function="${fn}",le="${bound}"} ${series.bucketCounts[index] ?? 0}`);
      });
      lines.push(`${histogram}_bucket{function="${fn}",le="+Inf"} ${series.coldStarts}`);
      lines.push(`${histogram}_sum{function="${fn}"} ${series.coldStartSumSeconds}`);
      lines.push(`${histogram}_count{function="${fn}"} ${series.coldStarts}`);
    }
    return `${lines.join('\n')}\n`;
  }

  #get(functionName: string): FunctionSeries {
    let series = this.#series.get(functionName);
    if (series === undefined) {
      series = {
        replicas: 0,
        readyReplicas: 0,
        coldStarts: 0,
        restarts: 0,
        oneShotRuns: 0,
        bucketCounts: COLD_START_BUCKETS.map(() => 0),
        coldStartSumSeconds: 0,
      };
      this.#series.set(functionName, series);
    }
    return series;
  }
}
