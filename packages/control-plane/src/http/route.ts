import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiKeyRole } from '../config/security-config.js';

/**
 * Who may call a route: anyone; any valid API key ("invoke" or "admin"); only "admin"; or a one-shot
 * run presenting its per-attempt callback token (checked by the route itself).
 */
export type RouteAccess = 'public' | 'invoke' | 'admin' | 'callback';

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The caller's role; undefined when API keys are off or the route is public. */
  readonly role: ApiKeyRole | undefined;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path with `{param}` placeholders; a placeholder matches one segment without "/" or ":". */
  readonly path: string;
  readonly access: RouteAccess;
  /**
   * Served while the control plane drains on SIGTERM (docs/lifecycle.md, "Shutdown"): completion
   * callbacks, reading executions, health. Every other route answers 503 SHUTTING_DOWN then.
   */
  readonly duringShutdown?: true;
  handle(context: RequestContext): Promise<void> | void;
}
