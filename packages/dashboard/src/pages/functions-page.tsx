import { ErrorMessage } from '../components/error-message.js';
import { FunctionsTable } from '../components/functions-table.js';
import { usePolling } from '../hooks/use-polling.js';
import { useSession } from '../session.js';

const POLL_MS = 2000;

/** Functions: the table of every function, refreshed every 2 s. */
export function FunctionsPage() {
  const { api } = useSession();
  const functions = usePolling(() => api.functions(), POLL_MS, 'functions');
  const stats = usePolling(() => api.stats('5m'), POLL_MS, 'stats');
  return (
    <section>
      <h1>Functions</h1>
      <ErrorMessage error={functions.error ?? stats.error} />
      {functions.data === undefined ? (
        <p class="loading">Loading…</p>
      ) : (
        <FunctionsTable functions={functions.data.items} stats={stats.data} />
      )}
      <p class="hint">Error rate and latency of the executions of the last 5 minutes.</p>
    </section>
  );
}
