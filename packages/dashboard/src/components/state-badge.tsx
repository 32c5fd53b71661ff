import type { FunctionState } from '@nanofaas/contracts';
import { stateLabel } from '../format/format-values.js';

/** A function's state as a coloured label: ready, starting, scaled to zero, degraded, failed. */
export function StateBadge({
  state,
  message,
}: {
  state: FunctionState | undefined;
  message?: string | undefined;
}) {
  return (
    <span class={`badge state-${state ?? 'unknown'}`} title={message}>
      {stateLabel(state)}
    </span>
  );
}

/** An execution's status as a coloured label. */
export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status-${status}`}>{status}</span>;
}
