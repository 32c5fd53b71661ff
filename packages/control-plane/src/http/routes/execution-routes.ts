import { EXECUTION_STATES, type ExecutionState, PlatformError } from '@nanofaas/contracts';
import { executionStatusJson } from '../../executions/execution-record.js';
import type { AppServices } from '../app-services.js';
import { sendJsonText } from '../respond.js';
import type { Route } from '../route.js';
import { functionNameParam, validationError } from '../validate-input.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;

export function executionRoutes(services: AppServices): Route[] {
  const { tracker } = services;
  return [
    {
      method: 'GET',
      path: '/v1/executions/{id}',
      duringShutdown: true,
      access: 'invoke',
      handle({ res, params }) {
        const record = tracker.get(params.id!);
        if (!record)
          throw new PlatformError('EXECUTION_NOT_FOUND', `execution "${params.id}" does not exist`);
        sendJsonText(res, 200, executionStatusJson(record));
      },
    },
    {
      method: 'GET',
      path: '/v1/executions',
      duringShutdown: true,
      access: 'invoke',
      handle({ res, query }) {
        const fn = query.get('function') ?? undefined;
        const status = query.get('status') ?? undefined;
        const limitText = query.get('limit') ?? undefined;
        if (status !== undefined && !EXECUTION_STATES.includes(status as ExecutionState)) {
          throw validationError([
            { field: 'query status', rule: 'enum', message: `must be one of ${EXECUTION_STATES.join(', ')}` },
          ]);
        }
        const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText);
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
          throw validationError([
            { field: 'query limit', rule: 'maximum', message: `must be an integer from 1 to ${MAX_LIMIT}` },
          ]);
        }
        const items = tracker.list({
          ...(fn !== undefined ? { functionName: functionNameParam(fn) } : {}),
          ...(status !== undefined ? { status: status as ExecutionState } : {}),
          limit,
        });
        sendJsonText(res, 200, `{"items":[${items.map(executionStatusJson).join(',')}]}`);
      },
    },
  ];
}
