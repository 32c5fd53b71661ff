/** A minimal Prometheus text-format registry: counters and histograms with labels, gauges by callback. */

type Labels = Readonly<Record<string, string>>;

interface Metric {
  render(lines: string[]): void;
}

function labelText(labels: Labels): string {
  let text = '';
  for (const key in labels) text += `${text ? ',' : ''}${key}="${escapeLabel(labels[key]!)}"`;
  return text ? `{${text}}` : '';
}

function escapeLabel(value: string): string {
  if (!/[\\\n"]/.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export interface CounterSeries {
  inc(by?: number): void;
}

export interface HistogramSeries {
  observe(value: number): void;
}

export class Counter implements Metric {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    private readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    this.add(labelText(labels), by);
  }

  /** One series, its label text built once: for counters bumped on every request. */
  seriesOf(labels: Labels): CounterSeries {
    const key = labelText(labels);
    return { inc: (by = 1) => this.add(key, by) };
  }

  private add(key: string, by: number): void {
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  value(labels: Labels = {}): number {
    return this.values.get(labelText(labels)) ?? 0;
  }

  render(lines: string[]): void {
    lines.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`);
    for (const [key, value] of this.values) lines.push(`${this.name}${key} ${value}`);
  }
}

export class Gauge implements Metric {
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly collect: () => Iterable<[Labels, number]>,
  ) {}

  render(lines: string[]): void {
    lines.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`);
    for (const [labels, value] of this.collect()) lines.push(`${this.name}${labelText(labels)} ${value}`);
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly buckets: readonly number[],
  ) {}

  observe(labels: Labels, value: number): void {
    this.record(labels, labelText(labels), value);
  }

  /** One series, its label text built once: for histograms observed on every request. */
  seriesOf(labels: Labels): HistogramSeries {
    const key = labelText(labels);
    return { observe: (value) => this.record(labels, key, value) };
  }

  private record(labels: Labels, key: string, value: number): void {
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, entry);
    }
    // Buckets are counted once here and made cumulative when rendered.
    let index = 0;
    while (index < this.buckets.length && value > this.buckets[index]!) index++;
    if (index < this.buckets.length) entry.counts[index]! += 1;
    entry.sum += value;
    entry.count += 1;
  }

  render(lines: string[]): void {
    lines.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`);
    for (const { labels, counts, sum, count } of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += counts[i]!;
        lines.push(`${this.name}_bucket${labelText({ ...labels, le: String(bound) })} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${count}`);
      lines.push(
        `${this.name}_sum${labelText(labels)} ${sum}`,
        `${this.name}_count${labelText(labels)} ${count}`,
      );
    }
  }
}

export class MetricsRegistry {
  private readonly metrics: Metric[] = [];

  register<M extends Metric>(metric: M): M {
    this.metrics.push(metric);
    return metric;
  }

  render(): string {
    const lines: string[] = [];
    for (const metric of this.metrics) metric.render(lines);
    return `${lines.join('\n')}\n`;
  }
}
