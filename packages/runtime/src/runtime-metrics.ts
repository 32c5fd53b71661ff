/** Upper bounds (seconds) of the invocation duration histogram. */
const DURATION_BUCKETS_S = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The runtime's Prometheus metrics, kept as plain counters: recording is a few additions on the hot
 * path, and the text format is built only when /metrics is scraped.
 */
export class RuntimeMetrics {
  inFlight = 0;
  private readonly invocationsByStatus = new Map<number, number>();
  private readonly bucketCounts = new Array<number>(DURATION_BUCKETS_S.length).fill(0);
  private durationSumS = 0;
  private durationCount = 0;

  constructor(
    private readonly initDurationMs: number,
    private readonly startedAtS: number = Date.now() / 1000,
  ) {}

  /** One answered /invoke request; durationMs is the handler's run time (absent when it did not run). */
  recordInvocation(status: number, durationMs: number | undefined): void {
    this.invocationsByStatus.set(status, (this.invocationsByStatus.get(status) ?? 0) + 1);
    if (durationMs === undefined) return;
    const seconds = durationMs / 1000;
    this.durationSumS += seconds;
    this.durationCount++;
    for (let i = 0; i < DURATION_BUCKETS_S.length; i++) {
      if (seconds <= (DURATION_BUCKETS_S[i] as number)) {
        this.bucketCounts[i] = (this.bucketCounts[i] as number) + 1;
        break;
      }
    }
  }

  render(): string {
    const lines: string[] = [
      '# HELP nanofaas_runtime_invocations_total Answered /invoke requests by HTTP status.',
      '# TYPE nanofaas_runtime_invocations_total counter',
    ];
    for (const [status, count] of [...this.invocationsByStatus].sort((a, b) => a[0] - b[0])) {
      lines.push(`nanofaas_runtime_invocations_total{status="${status}"} ${count}`);
    }
    lines.push(
      '# HELP nanofaas_runtime_invocation_duration_seconds Time the handler ran, per invocation.',
      '# TYPE nanofaas_runtime_invocation_duration_seconds histogram',
    );
    let cumulative = 0;
    DURATION_BUCKETS_S.forEach((bound, i) => {
      cumulative += this.bucketCounts[i] as number;
      lines.push(`nanofaas_runtime_invocation_duration_seconds_bucket{le="${bound}"} ${cumulative}`);
    });
    lines.push(
      `nanofaas_runtime_invocation_duration_seconds_bucket{le="+Inf"} ${this.durationCount}`,
      `nanofaas_runtime_invocation_duration_seconds_sum ${this.durationSumS}`,
      `nanofaas_runtime_invocation_duration_seconds_count ${this.durationCount}`,
      '# HELP nanofaas_runtime_in_flight Invocations running now.',
      '# TYPE nanofaas_runtime_in_flight gauge',
      `nanofaas_runtime_in_flight ${this.inFlight}`,
      '# HELP nanofaas_runtime_init_duration_seconds Time from process start until the runtime was ready.',
      '# TYPE nanofaas_runtime_init_duration_seconds gauge',
      `nanofaas_runtime_init_duration_seconds ${this.initDurationMs / 1000}`,
      '# HELP process_start_time_seconds Start time of the runtime since the Unix epoch.',
      '# TYPE process_start_time_seconds gauge',
      `process_start_time_seconds ${this.startedAtS}`,
      '# HELP process_resident_memory_bytes Resident memory size.',
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${process.memoryUsage.rss()}`,
      '# HELP nodejs_heap_used_bytes V8 heap in use.',
      '# TYPE nodejs_heap_used_bytes gauge',
      `nodejs_heap_used_bytes ${process.memoryUsage().heapUsed}`,
    );
    return `${lines.join('\n')}\n`;
  }
}
