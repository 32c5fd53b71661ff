import type { LogEntry } from '@nanofaas/contracts';
import { formatTime } from '../format/format-values.js';

/** Log lines, oldest first: time, stream, execution id and the text (always as text, never markup). */
export function LogView({ entries, emptyText }: { entries: readonly LogEntry[]; emptyText: string }) {
  if (entries.length === 0) return <p class="empty">{emptyText}</p>;
  return (
    <ol class="log" aria-label="log lines">
      {entries.map((entry, index) => (
        <li key={index} class={`stream-${entry.stream}`}>
          <span class="time">{formatTime(entry.timestamp)}</span>
          <span class="stream">{entry.stream}</span>
          {entry.executionId !== undefined && <span class="mono exec">{entry.executionId.slice(0, 8)}</span>}
          <span class="line">{entry.line}</span>
        </li>
      ))}
    </ol>
  );
}
