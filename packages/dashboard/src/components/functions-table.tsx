import type { ExecutionStats, FunctionResponse, FunctionStatsSummary } from '@nanofaas/contracts';
import { formatMs, formatPercent } from '../format/format-values.js';
import { hrefOf } from '../routing/hash-route.js';
import { StateBadge } from './state-badge.js';

/** Replicas as `ready/wanted`; a REMOTE function has no replicas, only one-shot runs. */
export function replicasText(fn: FunctionResponse): string {
  if (fn.effectiveExecutionMode === 'REMOTE') return 'one-shot';
  const status = fn.status;
  return status === undefined ? '–' : `${status.readyReplicas}/${status.replicas}`;
}

/** Every function with its state, modes, replicas, load and the last window's error rate and latency. */
export function FunctionsTable({
  functions,
  stats,
}: {
  functions: readonly FunctionResponse[];
  stats?: ExecutionStats | undefined;
}) {
  const byName = new Map<string, FunctionStatsSummary>(
    (stats?.functions ?? []).map((summary) => [summary.functionName, summary]),
  );
  if (functions.length === 0) return <p class="empty">No functions registered.</p>;
  return (
    <table class="functions-table">
      <thead>
        <tr>
          <th>Function</th>
          <th>State</th>
          <th>Execution</th>
          <th>Runtime</th>
          <th title="ready / wanted">Replicas</th>
          <th>In flight</th>
          <th>Queued</th>
          <th title={`error rate of the last ${stats?.window ?? '5m'}`}>Errors</th>
          <th>p50</th>
          <th>p95</th>
        </tr>
      </thead>
      <tbody>
        {functions.map((fn) => {
          const summary = byName.get(fn.name);
          return (
            <tr key={fn.name} data-function={fn.name}>
              <td>
                <a href={hrefOf({ page: 'function', name: fn.name })}>{fn.name}</a>
              </td>
              <td>
                <StateBadge state={fn.status?.state} message={fn.status?.message} />
              </td>
              <td>{fn.effectiveExecutionMode}</td>
              <td>{fn.runtimeMode}</td>
              <td class="num">{replicasText(fn)}</td>
              <td class="num">{summary?.inFlight ?? 0}</td>
              <td class="num">{summary?.queued ?? 0}</td>
              <td class="num">{formatPercent(summary?.errorRate)}</td>
              <td class="num">{formatMs(summary?.latencyMs.p50)}</td>
              <td class="num">{formatMs(summary?.latencyMs.p95)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
