import { Counter, Gauge, Histogram, MetricsRegistry } from './metrics-registry.js';

/** Where the gauges read their live values. */
export interface MetricsSources {
  queueDepth(): Iterable<[string, number]>;
  inFlight(): Iterable<[string, number]>;
}

/** The control plane's metrics (names are part of the product: dashboards depend on them). */
export class PlatformMetrics {
  readonly registry = new MetricsRegistry();
  readonly invocations = this.registry.register(
    new Counter('nanofaas_invocations_total', 'Finished executions by function and final status.'),
  );
  readonly duration = this.registry.register(
    new Histogram(
      'nanofaas_invocation_duration_seconds',
      'Time from the first dispatch to the final state, by function.',
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    ),
  );
  readonly retries = this.registry.register(
    new Counter('nanofaas_retries_total', 'Attempts dispatched again after a retryable failure.'),
  );
  readonly coldStarts = this.registry.register(
    new Counter('nanofaas_cold_starts_total', 'Attempts that had to wait for an instance to start.'),
  );
  readonly rateLimited = this.registry.register(
    new Counter(
      'nanofaas_rate_limited_total',
      'Invocations refused with 429 by admission control, by function and reason (RATE_LIMITED, QUEUE_FULL).',
    ),
  );
  readonly webhookFailures = this.registry.register(
    new Counter('nanofaas_webhook_failures_total', 'X-Callback-Url deliveries that were given up.'),
  );

  constructor(sources: MetricsSources) {
    this.registry.register(
      new Gauge('nanofaas_queue_depth', 'Executions waiting to be dispatched, by function.', () =>
        mapLabels(sources.queueDepth()),
      ),
    );
    this.registry.register(
      new Gauge('nanofaas_in_flight', 'Executions being run by the backend now, by function.', () =>
        mapLabels(sources.inFlight()),
      ),
    );
  }
}

function* mapLabels(values: Iterable<[string, number]>): Iterable<[Record<string, string>, number]> {
  for (const [fn, value] of values) yield [{ function: fn }, value];
}
