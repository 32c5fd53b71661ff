import {
  EXECUTION_CURSOR_PATTERN,
  EXECUTION_STATES,
  type ExecutionState,
  PlatformError,
  parseLogSince,
} from '@nanofaas/contracts';
import type { Clock } from '../../deps/clock.js';
import { executionDetailJson, executionStatusJson } from '../../executions/execution-record.js';
import type { AppServices } from '../app-services.js';
import { sendJsonText } from '../respond.js';
import type { Route } from '../route.js';
import { functionNameParam, validationError } from '../validate-input.js';

const DEFAULT_LIMIT = 50;
const CURSOR = new RegExp(EXECUTION_CURSOR_PATTERN);
const MAX_LIMIT = 1000;

export function executionRoutes(services: AppServices, clock: Clock): Route[] {
  const { tracker } = services;
  return [
    {
      method: 'GET',
      path: '/v1/executions/{id}',
      duringShutdown: true,
      access: 'invoke',
      handle({ res, params, role }) {
        const record = tracker.get(params.id!);
        if (!record)
          throw new PlatformError('EXECUTION_NOT_FOUND', `execution "${params.id}" does not exist`);
        // `input` is another caller's data as often as not: admin only, like the log API.
        sendJsonText(res, 200, executionDetailJson(record, role !== 'invoke'));
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
        const now = clock.now();
        const createdFrom = timeParam(query, 'since', now);
        const createdUntil = timeParam(query, 'until', now);
        const after = cursorParam(query.get('after'));
        const items = tracker.list({
          ...(fn !== undefined ? { functionName: functionNameParam(fn) } : {}),
          ...(status !== undefined ? { status: status as ExecutionState } : {}),
          ...(createdFrom !== undefined ? { createdFrom } : {}),
          ...(createdUntil !== undefined ? { createdUntil } : {}),
          ...(after !== undefined ? { after } : {}),
          limit,
        });
        const last = items.length === limit ? items.at(-1) : undefined;
        const next = last === undefined ? '' : `,"next":${JSON.stringify(`${last.createdAt}~${last.id}`)}`;
        sendJsonText(res, 200, `{"items":[${items.map(executionStatusJson).join(',')}]${next}}`);
      },
    },
  ];
}

/** `since` / `until`: an RFC 3339 timestamp or a duration back from now (as the log API's `since`). */
function timeParam(query: URLSearchParams, name: 'since' | 'until', nowMs: number): number | undefined {
  const text = query.get(name);
  // Empty sets no bound, like an absent parameter (as the log API's `since`).
  if (text === null || text === '') return undefined;
  const ms = parseLogSince(text, nowMs);
  if (ms === undefined) {
    throw validationError([
      {
        field: `query ${name}`,
        rule: 'format',
        message: 'must be an RFC 3339 timestamp or a duration such as 90s, 10m, 2h, 1d',
      },
    ]);
  }
  return ms;
}

/** `after`: the `next` of the previous page, `<createdAt ms>~<execution id>`. */
function cursorParam(text: string | null): { createdAt: number; id: string } | undefined {
  if (text === null || text === '') return undefined;
  if (!CURSOR.test(text)) {
    throw validationError([
      { field: 'query after', rule: 'format', message: 'must be the `next` value of a previous page' },
    ]);
  }
  const separator = text.indexOf('~');
  return { createdAt: Number(text.slice(0, separator)), id: text.slice(separator + 1) };
}
