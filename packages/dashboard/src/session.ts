import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from './api/api-client.js';

/** The signed-in caller: an API client with their key, and what their role lets them do. */
export interface Session {
  readonly api: ApiClient;
  readonly role: 'admin' | 'invoke';
  /** True when the control plane runs with NANOFAAS_AUTH=off (no key, no sign-out). */
  readonly authOff: boolean;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error('useSession outside a signed-in page');
  return session;
}
