import { useState } from 'preact/hooks';
import { ErrorMessage } from '../components/error-message.js';
import { ExecutionsTable } from '../components/executions-table.js';
import { usePolling } from '../hooks/use-polling.js';
import { hrefOf } from '../routing/hash-route.js';
import { useSession } from '../session.js';

const PAGE_SIZE = 25;
const STATUSES = ['', 'queued', 'running', 'success', 'error', 'timeout'] as const;
const RANGES = [
  ['', 'any time'],
  ['5m', 'last 5 minutes'],
  ['1h', 'last hour'],
  ['24h', 'last day'],
] as const;

/**
 * Executions, newest first, filtered by function, status and time range (kept in the hash, so a
 * filtered list is a link), a page at a time; the first page refreshes itself.
 */
export function ExecutionsPage({ query }: { query: URLSearchParams }) {
  const { api } = useSession();
  const filter = {
    function: query.get('function') ?? '',
    status: query.get('status') ?? '',
    since: query.get('since') ?? '',
    after: query.get('after') ?? '',
  };
  const [form, setForm] = useState(filter);
  const functions = usePolling(() => api.functions(), 10_000, 'names');
  const page = usePolling(
    () => api.executions({ ...filter, limit: PAGE_SIZE }),
    filter.after === '' ? 2000 : 60_000,
    query.toString(),
  );
  const go = (next: Record<string, string>) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(next)) if (value !== '') params.set(key, value);
    location.hash = hrefOf({ page: 'executions', query: params });
  };
  return (
    <section>
      <h1>Executions</h1>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          go({ ...form, after: '' });
        }}
      >
        <label>
          Function
          <select
            name="function"
            value={form.function}
            onChange={(e) => setForm({ ...form, function: (e.target as HTMLSelectElement).value })}
          >
            <option value="">all</option>
            {(functions.data?.items ?? []).map((fn) => (
              <option key={fn.name} value={fn.name}>
                {fn.name}
              </option>
            ))}
            {form.function !== '' && !functions.data?.items.some((fn) => fn.name === form.function) && (
              <option value={form.function}>{form.function}</option>
            )}
          </select>
        </label>
        <label>
          Status
          <select
            name="status"
            value={form.status}
            onChange={(e) => setForm({ ...form, status: (e.target as HTMLSelectElement).value })}
          >
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {status === '' ? 'any' : status}
              </option>
            ))}
          </select>
        </label>
        <label>
          Created
          <select
            name="since"
            value={form.since}
            onChange={(e) => setForm({ ...form, since: (e.target as HTMLSelectElement).value })}
          >
            {RANGES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Filter</button>
      </form>
      <ErrorMessage error={page.error} />
      {page.data === undefined ? (
        <p class="loading">Loading…</p>
      ) : (
        <ExecutionsTable items={page.data.items} />
      )}
      <nav class="pager">
        {filter.after !== '' && (
          <button type="button" onClick={() => go({ ...filter, after: '' })}>
            First page
          </button>
        )}
        {page.data?.next !== undefined && (
          <button type="button" onClick={() => go({ ...filter, after: page.data!.next! })}>
            Next page
          </button>
        )}
      </nav>
    </section>
  );
}
