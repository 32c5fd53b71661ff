import type { IncomingMessage, ServerResponse } from 'node:http';
import { PlatformError } from '@nanofaas/contracts';
import type { ApiKeyRole } from '../config/security-config.js';
import type { Logger } from '../observability/logger.js';
import type { ApiKeyAuthenticator } from '../security/api-key-authenticator.js';
import { sendError } from './respond.js';
import type { RouteAccess } from './route.js';
import type { Router } from './router.js';

/**
 * Every request, top to bottom (docs/lifecycle.md):
 *   1. route      method + path → route (404 ROUTE_NOT_FOUND, 405 METHOD_NOT_ALLOWED, 400 bad escape)
 *   2. drain      while shutting down, only callbacks, execution reads and health (503 SHUTTING_DOWN)
 *   3. authorize  API key and role for /v1 routes (401 UNAUTHORIZED, 403 FORBIDDEN)
 *   4. handle     the route: read and validate input (400, 413, 415), then its work
 *   5. errors     any failure → {"error": ErrorInfo} with the catalogue's status and X-Error-Origin
 */
export function createRequestPipeline(
  router: Router,
  authenticator: ApiKeyAuthenticator,
  logger: Logger,
  isShuttingDown: () => boolean = () => false,
) {
  return async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = req.url ?? '/';
      const queryStart = url.indexOf('?');
      const path = queryStart < 0 ? url : url.slice(0, queryStart);
      const queryText = queryStart < 0 ? '' : url.slice(queryStart + 1);

      let match: ReturnType<Router['match']>;
      try {
        match = router.match(req.method ?? 'GET', path);
      } catch {
        throw new PlatformError('VALIDATION_FAILED', 'the path is not valid percent-encoding', {
          issues: [{ field: 'path', rule: 'format', message: 'is not valid percent-encoding' }],
        });
      }
      if (match.kind === 'not-found') {
        throw new PlatformError('ROUTE_NOT_FOUND', `no route for ${req.method} ${path}`);
      }
      if (match.kind === 'method-not-allowed') {
        res.setHeader('allow', match.allow.join(', '));
        throw new PlatformError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${path}`);
      }

      if (match.route.duringShutdown !== true && isShuttingDown()) {
        res.setHeader('connection', 'close');
        throw new PlatformError('SHUTTING_DOWN', 'the control plane is shutting down and admits no new work');
      }
      const role = authorize(match.route.access, req.headers.authorization, authenticator);
      await match.route.handle({
        req,
        res,
        params: match.params,
        // Parsed only for the routes that read it (not the invoke path).
        get query() {
          return new URLSearchParams(queryText);
        },
        role,
      });
    } catch (error) {
      if (!req.complete) req.resume();
      sendError(res, error, logger);
    }
  };
}

function authorize(
  access: RouteAccess,
  authorization: string | undefined,
  authenticator: ApiKeyAuthenticator,
): ApiKeyRole | undefined {
  if (access === 'public' || access === 'callback' || !authenticator.enabled) return undefined;
  const role = authenticator.roleOf(authorization);
  if (role === undefined) {
    throw new PlatformError('UNAUTHORIZED', 'send a valid API key as "Authorization: Bearer <key>"');
  }
  if (access === 'admin' && role !== 'admin') {
    throw new PlatformError('FORBIDDEN', 'this operation needs an API key with the admin role');
  }
  return role;
}
