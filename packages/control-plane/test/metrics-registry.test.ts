import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Histogram, MetricsRegistry } from '../src/observability/metrics-registry.js';

describe('Prometheus text format', () => {
  it('renders counters with escaped labels and cumulative histogram buckets', () => {
    const registry = new MetricsRegistry();
    const counter = registry.register(new Counter('demo_total', 'A counter.'));
    const histogram = registry.register(new Histogram('demo_seconds', 'A histogram.', [0.1, 1]));
    counter.inc({ function: 'a"b' });
    counter.inc({ function: 'a"b' }, 2);
    for (const value of [0.05, 0.5, 5]) histogram.observe({ function: 'f' }, value);
    const text = registry.render();
    assert.match(text, /# TYPE demo_total counter\ndemo_total\{function="a\\"b"\} 3\n/);
    assert.match(text, /demo_seconds_bucket\{function="f",le="0.1"\} 1\n/);
    assert.match(text, /demo_seconds_bucket\{function="f",le="1"\} 2\n/);
    assert.match(text, /demo_seconds_bucket\{function="f",le="\+Inf"\} 3\n/);
    assert.match(text, /demo_seconds_count\{function="f"\} 3\n/);
  });
});
