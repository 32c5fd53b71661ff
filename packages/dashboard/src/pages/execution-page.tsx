import type { ExecutionStatus } from '@nanofaas/contracts';
import { ErrorMessage } from '../components/error-message.js';
import { JsonView } from '../components/json-view.js';
import { LogView } from '../components/log-view.js';
import { StatusBadge } from '../components/state-badge.js';
import { formatMs, formatTime } from '../format/format-values.js';
import { usePolling } from '../hooks/use-polling.js';
import { rawMember } from '../json/raw-json.js';
import { hrefOf } from '../routing/hash-route.js';
import { useSession } from '../session.js';

/** One execution: status, input and output (the exact bytes, indented), error and origin, timings and its log lines. */
export function ExecutionPage({ id }: { id: string }) {
  const { api, role } = useSession();
  const record = usePolling(
    async () => {
      const text = await api.executionText(id);
      return { text, status: JSON.parse(text) as ExecutionStatus };
    },
    2000,
    `execution-${id}`,
  );
  const logs = usePolling(
    () => (role === 'admin' ? api.executionLogs(id) : Promise.resolve(undefined)),
    3000,
    `execution-logs-${id}`,
  );
  const status = record.data?.status;
  return (
    <section class="execution-page">
      <h1 class="mono">{id}</h1>
      <ErrorMessage error={record.error} />
      {status !== undefined && (
        <>
          <dl class="facts">
            <dt>Function</dt>
            <dd>
              <a href={hrefOf({ page: 'function', name: status.functionName })}>{status.functionName}</a>
            </dd>
            <dt>Status</dt>
            <dd>
              <StatusBadge status={status.status} />
            </dd>
            <dt>Attempt</dt>
            <dd>{status.attempt}</dd>
            <dt>Created</dt>
            <dd>{formatTime(status.createdAt)}</dd>
            <dt>Started</dt>
            <dd>{formatTime(status.startedAt)}</dd>
            <dt>Finished</dt>
            <dd>{formatTime(status.finishedAt)}</dd>
            <dt>Duration</dt>
            <dd>{formatMs(status.durationMs)}</dd>
            <dt>Cold start</dt>
            <dd>{status.coldStart === undefined ? '–' : status.coldStart ? 'yes' : 'no'}</dd>
            <dt>Trace id</dt>
            <dd class="mono">{status.traceId ?? '–'}</dd>
          </dl>
          {status.error !== undefined && (
            <div class="error-box" role="alert">
              <strong>{status.error.code}</strong>
              <span class="origin">origin: {status.error.origin ?? 'unknown'}</span>
              <p>{status.error.message}</p>
            </div>
          )}
          {rawMember(record.data!.text, 'input') !== undefined && (
            <section class="panel">
              <h2>Input</h2>
              <JsonView label="input" text={rawMember(record.data!.text, 'input')} />
            </section>
          )}
          {status.status === 'success' && (
            <section class="panel">
              <h2>Output</h2>
              <JsonView label="output" text={rawMember(record.data!.text, 'output')} />
            </section>
          )}
        </>
      )}
      {role === 'admin' && (
        <section class="panel">
          <h2>Log lines</h2>
          <ErrorMessage error={logs.error} />
          <LogView entries={logs.data?.items ?? []} emptyText="No log lines for this execution." />
        </section>
      )}
    </section>
  );
}
