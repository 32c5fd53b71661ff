import type { LogEntry } from '@nanofaas/contracts';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/api-error.js';
import { useSession } from '../session.js';
import { ErrorMessage } from './error-message.js';
import { LogView } from './log-view.js';

/** Lines kept on screen; older ones scroll away. */
const MAX_LINES = 500;
const RECONNECT_MS = 3000;

/** A function's log, followed live (the log API's NDJSON stream), reconnecting when it drops. */
export function LiveLog({ name }: { name: string }) {
  const { api } = useSession();
  const [entries, setEntries] = useState<LogEntry[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const [following, setFollowing] = useState(true);
  useEffect(() => {
    if (!following) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let refused = false;
    const connect = () => {
      setEntries([]);
      api
        .followLogs(
          name,
          (entry) => setEntries((previous) => [...previous, entry].slice(-MAX_LINES)),
          controller.signal,
        )
        .then(
          () => undefined,
          (failure: unknown) => {
            if (controller.signal.aborted) return;
            setError(failure);
            // A refusal (401, 403, 404) stays a refusal: only a dropped stream is reconnected.
            refused = failure instanceof ApiError && failure.status < 500;
          },
        )
        .finally(() => {
          if (!controller.signal.aborted && !refused) timer = setTimeout(connect, RECONNECT_MS);
        });
    };
    connect();
    return () => {
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [name, following]);
  return (
    <div class="live-log">
      <label class="follow">
        <input type="checkbox" checked={following} onChange={() => setFollowing(!following)} /> follow
      </label>
      <ErrorMessage error={error} />
      <LogView entries={entries} emptyText="No log lines yet." />
    </div>
  );
}
