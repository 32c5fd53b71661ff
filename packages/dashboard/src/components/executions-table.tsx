import type { ExecutionStatus } from '@nanofaas/contracts';
import { formatMs, formatTime } from '../format/format-values.js';
import { hrefOf } from '../routing/hash-route.js';
import { StatusBadge } from './state-badge.js';

/** Executions, newest first: id, function, status, attempt, created, duration, cold start, error code. */
export function ExecutionsTable({
  items,
  showFunction = true,
}: {
  items: readonly ExecutionStatus[];
  showFunction?: boolean;
}) {
  if (items.length === 0) return <p class="empty">No executions.</p>;
  return (
    <table class="executions-table">
      <thead>
        <tr>
          <th>Execution</th>
          {showFunction && <th>Function</th>}
          <th>Status</th>
          <th>Attempt</th>
          <th>Created</th>
          <th>Duration</th>
          <th>Cold</th>
          <th>Error</th>
        </tr>
      </thead>
      <tbody>
        {items.map((execution) => (
          <tr key={execution.executionId} data-execution={execution.executionId}>
            <td>
              <a class="mono" href={hrefOf({ page: 'execution', id: execution.executionId })}>
                {execution.executionId}
              </a>
            </td>
            {showFunction && (
              <td>
                <a href={hrefOf({ page: 'function', name: execution.functionName })}>
                  {execution.functionName}
                </a>
              </td>
            )}
            <td>
              <StatusBadge status={execution.status} />
            </td>
            <td class="num">{execution.attempt}</td>
            <td>{formatTime(execution.createdAt)}</td>
            <td class="num">{formatMs(execution.durationMs)}</td>
            <td>{execution.coldStart ? 'yes' : ''}</td>
            <td>{execution.error?.code ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
