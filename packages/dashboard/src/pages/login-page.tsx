import { useState } from 'preact/hooks';
import { ErrorMessage } from '../components/error-message.js';

export interface LoginPageProps {
  /** Tries the key; rejects with the API's error when it is not accepted. */
  onLogin(key: string): Promise<void>;
  readonly initialError?: unknown;
}

/** Asks for an API key (an admin key is in `.nanofaas/admin.key` after the first start). */
export function LoginPage({ onLogin, initialError }: LoginPageProps) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(initialError);
  return (
    <main class="login">
      <h1>nanofaas</h1>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            await onLogin(key.trim());
          } catch (failure) {
            setError(failure);
          } finally {
            setBusy(false);
          }
        }}
      >
        <label>
          API key
          <input
            name="api-key"
            type="password"
            autocomplete="off"
            required
            value={key}
            onInput={(event) => setKey((event.target as HTMLInputElement).value)}
          />
        </label>
        <p class="hint">
          The admin key of a local control plane is in <code>.nanofaas/admin.key</code>. It is kept in this
          tab only (session storage) until you sign out or close it.
        </p>
        <button type="submit" disabled={busy || key.trim() === ''}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <ErrorMessage error={error} />
      </form>
    </main>
  );
}
