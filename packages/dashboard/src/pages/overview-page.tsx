import type { FunctionState } from '@nanofaas/contracts';
import { throughputChart } from '../charts/stats-series.js';
import { TimeChart } from '../charts/time-chart.js';
import { ErrorMessage } from '../components/error-message.js';
import { formatMs, formatPercent, stateLabel } from '../format/format-values.js';
import { usePolling } from '../hooks/use-polling.js';
import { useSession } from '../session.js';

/** Overview: totals of the last 5 minutes and invocations per second by status, across functions. */
export function OverviewPage() {
  const { api } = useSession();
  const stats = usePolling(() => api.stats('5m'), 2000, 'overview-stats');
  const functions = usePolling(() => api.functions(), 2000, 'overview-functions');
  const byState = new Map<string, number>();
  for (const fn of functions.data?.items ?? []) {
    const label = stateLabel(fn.status?.state as FunctionState | undefined);
    byState.set(label, (byState.get(label) ?? 0) + 1);
  }
  const data = stats.data;
  return (
    <section>
      <h1>Overview</h1>
      <ErrorMessage error={stats.error ?? functions.error} />
      <div class="tiles">
        <Tile
          label="Functions"
          value={String(functions.data?.items.length ?? '–')}
          detail={[...byState].map(([state, count]) => `${count} ${state}`).join(', ')}
        />
        <Tile
          label="Invocations (5m)"
          value={String(data?.total ?? '–')}
          detail={
            data === undefined
              ? ''
              : `${data.counts.success} success, ${data.counts.error} error, ${data.counts.timeout} timeout`
          }
        />
        <Tile label="Error rate (5m)" value={formatPercent(data?.errorRate)} />
        <Tile
          label="p50 / p95 (5m)"
          value={`${formatMs(data?.latencyMs.p50)} / ${formatMs(data?.latencyMs.p95)}`}
        />
        <Tile
          label="In flight"
          value={String(data?.inFlight ?? '–')}
          detail={`${data?.queued ?? 0} queued`}
        />
        <Tile label="Cold starts (5m)" value={String(data?.coldStarts ?? '–')} />
      </div>
      {data !== undefined && (
        <TimeChart title="Invocations per second by status, all functions" data={throughputChart(data)} />
      )}
      {data?.sampled && <p class="hint">Counted the {data.total} most recent executions of the window.</p>}
    </section>
  );
}

function Tile({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <div class="tile">
      <div class="tile-label">{label}</div>
      <div class="tile-value">{value}</div>
      {detail !== undefined && detail !== '' && <div class="tile-detail">{detail}</div>}
    </div>
  );
}
