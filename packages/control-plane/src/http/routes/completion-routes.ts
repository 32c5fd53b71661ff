import { isTerminalState, PlatformError } from '@nanofaas/contracts';
import { bearerToken } from '../../security/api-key-authenticator.js';
import type { AppServices } from '../app-services.js';
import { parseCompletion } from '../completion-body.js';
import { readBody } from '../read-body.js';
import { sendJson } from '../respond.js';
import type { Route } from '../route.js';

/**
 * POST /v1/internal/executions/{id}:complete — a one-shot run reports its result, presenting the
 * token of its attempt. A stale attempt (no longer waited for) or an execution already terminal is
 * acknowledged with 200 and ignored (idempotent, fenced by attempt).
 */
export function completionRoutes(services: AppServices): Route[] {
  const { tracker, completions, config, logger } = services;
  return [
    {
      method: 'POST',
      path: '/v1/internal/executions/{id}:complete',
      duringShutdown: true,
      access: 'callback',
      async handle({ req, res, params }) {
        const id = params.id!;
        const token = bearerToken(req.headers.authorization);
        const record = tracker.get(id);
        const attempt = token && record ? completions.authenticate(id, token, record.attempt) : undefined;
        if (attempt === undefined || !record) {
          req.resume();
          throw new PlatformError('UNAUTHORIZED', 'missing or invalid callback token for this execution');
        }
        const completion = parseCompletion(await readBody(req, config.server.maxBodyBytes));
        // deliver() fences by attempt: only the attempt that waits (the current one, or a run
        // recovered after a restart under its old number) takes the result.
        const accepted = !isTerminalState(record.status) && completions.deliver(id, attempt, completion);
        if (!accepted) {
          logger.info(
            { executionId: id, attempt, currentAttempt: record.attempt, status: record.status },
            'ignored a completion callback for a stale attempt or finished execution',
          );
        }
        sendJson(res, 200, { accepted });
      },
    },
  ];
}
