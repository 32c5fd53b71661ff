import type { FunctionResponse } from '@nanofaas/contracts';

/** One replica as a backend reports it in `status.instances` (local: a process; Kubernetes: a pod). */
export interface ReplicaRow {
  readonly id: string;
  readonly where: string;
  readonly state: string;
  readonly inFlight: string;
  readonly restarts: string;
}

/** The replicas of `status.instances`, whatever backend reported them; none when it lists none. */
export function replicaRows(fn: FunctionResponse): ReplicaRow[] {
  const instances = (fn.status as { instances?: unknown } | undefined)?.instances;
  if (!Array.isArray(instances)) return [];
  return instances.map((raw: Record<string, unknown>, index) => {
    const text = (value: unknown) => (value === undefined || value === null ? '–' : String(value));
    const where =
      raw.pod !== undefined
        ? `pod ${text(raw.pod)}`
        : raw.pid !== undefined
          ? `pid ${text(raw.pid)}${raw.port !== undefined ? ` · port ${text(raw.port)}` : ''}`
          : '–';
    return {
      id: text(raw.id ?? raw.name ?? index + 1),
      where,
      state: text(raw.state ?? (raw.ready === true ? 'ready' : undefined)),
      inFlight: text(raw.inFlight),
      restarts: text(raw.restarts),
    };
  });
}

export function ReplicasTable({ fn }: { fn: FunctionResponse }) {
  const rows = replicaRows(fn);
  const status = fn.status;
  return (
    <div>
      <p>
        {status === undefined
          ? 'The backend reports no status.'
          : `${status.readyReplicas} ready of ${status.replicas} wanted${status.message ? ` — ${status.message}` : ''}`}
      </p>
      {rows.length > 0 && (
        <table class="replicas-table">
          <thead>
            <tr>
              <th>Replica</th>
              <th>Process / pod</th>
              <th>State</th>
              <th>In flight</th>
              <th>Restarts</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id}>
                <td class="mono">{row.id}</td>
                <td class="mono">{row.where}</td>
                <td>{row.state}</td>
                <td class="num">{row.inFlight}</td>
                <td class="num">{row.restarts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
