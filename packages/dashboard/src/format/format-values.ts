import type { FunctionState } from '@nanofaas/contracts';

/** A duration in ms for a table cell: `12 ms`, `1.4 s`, `–` when there is none. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** A fraction as a percentage: `0 %`, `12.5 %`, `–` when there is none. */
export function formatPercent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined) return '–';
  const percent = fraction * 100;
  return `${percent === 0 || percent >= 10 ? percent.toFixed(0) : percent.toFixed(1)} %`;
}

/** An RFC 3339 timestamp in the viewer's local time, to the millisecond. */
export function formatTime(iso: string | undefined): string {
  if (iso === undefined) return '–';
  const date = new Date(iso);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(
    date.getMinutes(),
  )}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** What a person calls each state a backend reports. */
export function stateLabel(state: FunctionState | undefined): string {
  switch (state) {
    case 'ready':
      return 'ready';
    case 'pending':
      return 'starting';
    case 'scaled-to-zero':
      return 'scaled to zero';
    case 'degraded':
      return 'degraded';
    case 'failed':
      return 'failed';
    case undefined:
      return 'unknown';
    default:
      return state satisfies never;
  }
}
