// The Markdown report of one run, with its SVG charts: every §7 goal beside its target (met or
// missed), then each scenario's figures per connection count, reference beside nanofaas.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { barChart } from './svg.mjs';

const slug = (text) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

const verdict = (met) => (met === true ? 'met' : met === false ? '**missed**' : '');

const range = (s, digits = 0) =>
  s.max > s.min
    ? `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`
    : s.median.toFixed(digits);

/** Writes `<stem>.md` and the charts under `<stem>/`; returns the report's path. */
export function writeReport(run, stem) {
  const chartDir = stem;
  mkdirSync(chartDir, { recursive: true });
  const chartLink = (name, svg) => {
    writeFileSync(join(chartDir, name), svg);
    return `![${name}](${basename(chartDir)}/${name})`;
  };
  const m = run.machine;
  const lines = [
    `# nanofaas benchmark, ${run.date}`,
    '',
    `- command: \`${run.command}\`${run.quick ? ' (quick: figures for the harness, not for decisions)' : ''}`,
    `- machine: ${m.host}, ${m.cores} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}, kernel ${m.kernel}`,
    `- load average before: ${run.loadBefore} · after: ${run.loadAfter} (1, 5, 15 min; other work shares the cores, so compare the rows of one run and the CPU per request)`,
    `- versions: ${Object.entries(run.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `- timing: ${run.timing.rounds} interleaved rounds of ${run.timing.seconds} s per point after ${run.timing.warmupSeconds} s of warm-up; figures are medians (min–max over the rounds); load generator wrk 1 thread, loopback`,
    `- took ${(run.durationMs / 1000).toFixed(0)} s`,
    '',
    '## Targets (DESIGN.md §7)',
    '',
    '| what | target | measured | |',
    '|---|---|---|---|',
  ];
  for (const scenario of run.scenarios) {
    for (const goal of scenario.result?.goals ?? []) {
      lines.push(`| ${goal.what} | ${goal.target} | ${goal.measured} | ${verdict(goal.met)} |`);
    }
    if (scenario.error)
      lines.push(`| ${scenario.title} | | failed: ${scenario.error.split('\n')[0]} | **error** |`);
  }
  if (run.notes.length > 0) lines.push('', ...run.notes.map((n) => `- ${n}`));

  for (const scenario of run.scenarios) {
    lines.push('', `## ${scenario.title}`, '');
    if (scenario.error) {
      lines.push('```', scenario.error, '```');
      continue;
    }
    const result = scenario.result;
    for (const chart of result.charts ?? []) {
      const name = slug(chart.title);
      lines.push(
        `### ${chart.title}`,
        '',
        chartLink(`${name}-throughput.svg`, throughputSvg(chart)),
        '',
        chartLink(`${name}-latency.svg`, latencySvg(chart)),
        '',
        ...pointTable(chart.points),
        '',
      );
    }
    for (const chart of result.latencyCharts ?? []) {
      const groups = [
        {
          label: '',
          bars: chart.bars.flatMap((bar) => [
            { name: `${bar.name} p50`, value: bar.p50 },
            { name: `${bar.name} ${bar.label95 ?? 'p95'}`, value: bar.p95, light: true },
          ]),
        },
      ];
      lines.push(
        chartLink(`${slug(chart.title)}.svg`, barChart({ title: chart.title, unit: 'ms', groups })),
        '',
      );
    }
    if (result.memoryChart) {
      const c = result.memoryChart;
      lines.push(
        chartLink(
          `${slug(c.title)}.svg`,
          barChart({ title: c.title, unit: 'MB', groups: [{ label: '', bars: c.bars }], limits: c.limits }),
        ),
        '',
      );
    }
  }
  const path = `${stem}.md`;
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

function throughputSvg(chart) {
  return barChart({
    title: `${chart.title}: throughput`,
    unit: 'requests/s, higher is better',
    groups: chart.points.map((point) => ({
      label: `${point.connections} connection${point.connections > 1 ? 's' : ''}`,
      bars: Object.entries(point.targets).map(([name, t]) => ({
        name,
        value: t.rps.median,
        min: t.rps.min,
        max: t.rps.max,
        reference: t.reference,
      })),
    })),
  });
}

function latencySvg(chart) {
  return barChart({
    title: `${chart.title}: latency`,
    unit: 'ms, p50 dark, p99 light, lower is better',
    groups: chart.points.map((point) => ({
      label: `${point.connections} connection${point.connections > 1 ? 's' : ''}`,
      bars: Object.entries(point.targets)
        .filter(([, t]) => Number.isFinite(t.p50Ms.median))
        .flatMap(([name, t]) => [
          { name: `${name} p50`, value: t.p50Ms.median, reference: t.reference },
          { name: `${name} p99`, value: t.p99Ms.median, reference: t.reference, light: true },
        ]),
    })),
  });
}

function pointTable(points) {
  const rows = [
    '| connections | target | req/s | p50 ms | p99 ms | CPU µs per request, by hop | non-2xx |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const point of points) {
    for (const [name, t] of Object.entries(point.targets)) {
      const cpu = Object.entries(t.cpuUsPerRequest ?? {})
        .map(([hop, s]) => `${hop} ${s.median.toFixed(1)}`)
        .join(' · ');
      rows.push(
        `| ${point.connections} | ${t.reference ? `${name} (reference)` : name} | ${range(t.rps)} | ${Number.isFinite(t.p50Ms.median) ? range(t.p50Ms, 2) : ''} | ${Number.isFinite(t.p99Ms.median) ? range(t.p99Ms, 2) : ''} | ${cpu} | ${t.non2xx ?? 0} |`,
      );
    }
  }
  return rows;
}
