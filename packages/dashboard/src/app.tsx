import { useEffect, useState } from 'preact/hooks';
import { ApiClient } from './api/api-client.js';
import { ApiError } from './api/api-error.js';
import type { KeyStorage } from './api/key-storage.js';
import { ExecutionPage } from './pages/execution-page.js';
import { ExecutionsPage } from './pages/executions-page.js';
import { FunctionPage } from './pages/function-page.js';
import { FunctionsPage } from './pages/functions-page.js';
import { LoginPage } from './pages/login-page.js';
import { OverviewPage } from './pages/overview-page.js';
import { type Route, useHashRoute } from './routing/hash-route.js';
import { type Session, SessionContext } from './session.js';

type AuthState =
  | { readonly kind: 'checking' }
  | { readonly kind: 'signed-out'; readonly error?: unknown }
  | { readonly kind: 'signed-in'; readonly session: Session };

/** Signs in with the stored key (or none, when the API needs none), then shows the page of the hash. */
export function App({ keys }: { keys: KeyStorage }) {
  const [auth, setAuth] = useState<AuthState>({ kind: 'checking' });
  const route = useHashRoute();

  const signIn = async (key: string | undefined) => {
    const api = new ApiClient(key);
    const who = await api.whoAmI();
    if (key !== undefined) keys.save(key);
    setAuth({ kind: 'signed-in', session: { api, role: who.role, authOff: who.auth === 'off' } });
  };

  useEffect(() => {
    signIn(keys.load()).catch((error: unknown) => {
      if (error instanceof ApiError && error.unauthorized) keys.clear();
      setAuth({
        kind: 'signed-out',
        error: error instanceof ApiError && error.unauthorized ? undefined : error,
      });
    });
  }, []);

  if (auth.kind === 'checking') return <p class="loading">Loading…</p>;
  if (auth.kind === 'signed-out') return <LoginPage onLogin={signIn} initialError={auth.error} />;
  const { session } = auth;
  const signOut = () => {
    keys.clear();
    setAuth({ kind: 'signed-out' });
  };
  return (
    <SessionContext.Provider value={session}>
      <header class="top">
        <a class="brand" href="#/">
          nanofaas
        </a>
        <nav>
          <a href="#/" class={route.page === 'overview' ? 'active' : undefined}>
            Overview
          </a>
          <a
            href="#/functions"
            class={route.page === 'functions' || route.page === 'function' ? 'active' : undefined}
          >
            Functions
          </a>
          <a
            href="#/executions"
            class={route.page === 'executions' || route.page === 'execution' ? 'active' : undefined}
          >
            Executions
          </a>
        </nav>
        <span class="who">
          role: <strong data-testid="role">{session.role}</strong>
          {!session.authOff && (
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          )}
        </span>
      </header>
      <main>
        <Page route={route} />
      </main>
    </SessionContext.Provider>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview':
      return <OverviewPage />;
    case 'functions':
      return <FunctionsPage />;
    case 'function':
      return <FunctionPage key={route.name} name={route.name} />;
    case 'executions':
      return <ExecutionsPage key={route.query.toString()} query={route.query} />;
    case 'execution':
      return <ExecutionPage key={route.id} id={route.id} />;
    case 'not-found':
      return <p>No page at {route.path}.</p>;
    default:
      return route satisfies never;
  }
}
