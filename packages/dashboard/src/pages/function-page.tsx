import type { FunctionResponse } from '@nanofaas/contracts';
import { useState } from 'preact/hooks';
import { latencyChart, throughputChart } from '../charts/stats-series.js';
import { TimeChart } from '../charts/time-chart.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { ErrorMessage } from '../components/error-message.js';
import { ExecutionsTable } from '../components/executions-table.js';
import { replicasText } from '../components/functions-table.js';
import { InvokePanel } from '../components/invoke-panel.js';
import { JsonView } from '../components/json-view.js';
import { LiveLog } from '../components/live-log.js';
import { ReplicasTable } from '../components/replicas-table.js';
import { ScaleControl } from '../components/scale-control.js';
import { StateBadge } from '../components/state-badge.js';
import { formatMs, formatPercent } from '../format/format-values.js';
import { usePolling } from '../hooks/use-polling.js';
import { hrefOf } from '../routing/hash-route.js';
import { useSession } from '../session.js';

const POLL_MS = 2000;

/** The spec as registered, without the live status and bookkeeping (they have their own panels). */
function specText(fn: FunctionResponse): string {
  const { status: _status, revision: _revision, createdAt: _created, updatedAt: _updated, ...spec } = fn;
  return JSON.stringify(spec);
}

/** One function: state, spec, replicas, charts, recent executions, live log and the actions the role allows. */
export function FunctionPage({ name }: { name: string }) {
  const { api, role } = useSession();
  const fn = usePolling(() => api.function(name), POLL_MS, `fn-${name}`);
  const stats = usePolling(() => api.functionStats(name, '5m'), POLL_MS, `stats-${name}`);
  const recent = usePolling(() => api.executions({ function: name, limit: 10 }), POLL_MS, `recent-${name}`);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [deleted, setDeleted] = useState(false);

  const act = async (action: () => Promise<unknown>) => {
    setActionError(undefined);
    try {
      await action();
      fn.refresh();
    } catch (error) {
      setActionError(error);
    }
  };

  if (deleted) {
    return (
      <section>
        <h1>{name}</h1>
        <p>
          Deleted. <a href={hrefOf({ page: 'functions' })}>Back to the functions</a>
        </p>
      </section>
    );
  }
  const data = fn.data;
  const summary = stats.data;
  return (
    <section class="function-page">
      <h1>
        {name}{' '}
        {data !== undefined && <StateBadge state={data.status?.state} message={data.status?.message} />}
      </h1>
      <ErrorMessage error={fn.error} />
      {data !== undefined && (
        <>
          <dl class="facts">
            <dt>Execution</dt>
            <dd>{data.effectiveExecutionMode}</dd>
            <dt>Runtime</dt>
            <dd>{data.runtimeMode}</dd>
            <dt>Replicas</dt>
            <dd>{replicasText(data)}</dd>
            <dt>In flight</dt>
            <dd>{summary?.inFlight ?? 0}</dd>
            <dt>Queued</dt>
            <dd>{summary?.queued ?? 0}</dd>
            <dt>Errors (5m)</dt>
            <dd>{formatPercent(summary?.errorRate)}</dd>
            <dt>p50 / p95 (5m)</dt>
            <dd>
              {formatMs(summary?.latencyMs.p50)} / {formatMs(summary?.latencyMs.p95)}
            </dd>
            <dt>Revision</dt>
            <dd>{data.revision}</dd>
          </dl>
          {role === 'admin' && (
            <div class="actions" data-testid="admin-actions">
              <ScaleControl
                current={data.status?.replicas ?? 0}
                onScale={(replicas) => void act(() => api.setReplicas(name, replicas))}
              />
              <ConfirmButton
                label="Delete"
                danger
                question={`Delete ${name}? Its executions stay readable until they expire.`}
                onConfirm={() =>
                  void act(async () => {
                    await api.deleteFunction(name);
                    setDeleted(true);
                  })
                }
              />
            </div>
          )}
          <ErrorMessage error={actionError} />
        </>
      )}
      <div class="panels">
        <section class="panel">
          <h2>Invoke</h2>
          <InvokePanel name={name} onInvoked={() => recent.refresh()} />
        </section>
        <section class="panel">
          <h2>Replicas</h2>
          {data !== undefined && <ReplicasTable fn={data} />}
        </section>
      </div>
      {summary !== undefined && (
        <div class="charts">
          <TimeChart title="Latency, last 5 minutes (ms)" data={latencyChart(summary)} />
          <TimeChart
            title="Throughput and errors, last 5 minutes (per second)"
            data={throughputChart(summary)}
          />
        </div>
      )}
      <section class="panel">
        <h2>
          Recent executions{' '}
          <a
            class="more"
            href={hrefOf({ page: 'executions', query: new URLSearchParams({ function: name }) })}
          >
            all
          </a>
        </h2>
        {recent.data !== undefined && <ExecutionsTable items={recent.data.items} showFunction={false} />}
      </section>
      {role === 'admin' && (
        <section class="panel">
          <h2>Log</h2>
          <LiveLog name={name} />
        </section>
      )}
      {data !== undefined && (
        <section class="panel">
          <h2>Spec</h2>
          <JsonView label="spec" text={specText(data)} />
        </section>
      )}
    </section>
  );
}
