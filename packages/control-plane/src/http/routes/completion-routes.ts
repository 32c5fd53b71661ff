import { isTerminalState, PlatformError, validateCompletionCallback } from '@nanofaas/contracts';
import { bearerToken } from '../../security/api-key-authenticator.js';
import type { AppServices } from '../app-services.js';
import { readJsonBody } from '../read-body.js';
import { sendJson } from '../respond.js';
import type { Route } from '../route.js';
import { validationError } from '../validate-input.js';

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
        const body = await readJsonBody(req, config.server.maxBodyBytes);
        const result = validateCompletionCallback(body);
        if (!result.ok) throw validationError(result.issues);
        // deliver() fences by attempt: only the attempt that waits (the current one, or a run
        // recovered after a restart under its old number) takes the result.
        const accepted = !isTerminalState(record.status) && completions.deliver(id, attempt, result.value);
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
