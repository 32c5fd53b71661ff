import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  isTerminalState,
  LOG_STREAM_CONTENT_TYPE,
  type LogEntry,
  LogQueryLimits,
  PlatformError,
  parseLogSince,
} from '@nanofaas/contracts';
import type { Clock } from '../../deps/clock.js';
import type { FunctionLogStore, LogQuery } from '../../logs/function-log-store.js';
import type { AppServices } from '../app-services.js';
import { sendJson } from '../respond.js';
import type { Route } from '../route.js';
import { functionNameParam, validationError } from '../validate-input.js';

/** A follower whose socket holds more than this unsent is too slow: its stream is closed. */
const MAX_UNSENT_BYTES = 1024 * 1024;
/** Lines of an execution can trail its end (stderr is read apart from the result): wait this long. */
const EXECUTION_END_GRACE_MS = 500;

interface LogParams {
  readonly follow: boolean;
  readonly sinceMs: number | undefined;
  readonly limit: number;
}

/** GET /v1/functions/{name}/logs and GET /v1/executions/{id}/logs (admin): JSON, or NDJSON with follow. */
export function logRoutes(services: AppServices, clock: Clock): Route[] {
  const { logs, registry, tracker } = services;
  return [
    {
      method: 'GET',
      path: '/v1/functions/{name}/logs',
      access: 'admin',
      handle({ req, res, params, query }) {
        const name = functionNameParam(params.name!);
        const options = logParams(query, clock.now());
        if (registry.deployed(name) === undefined) {
          throw new PlatformError('FUNCTION_NOT_FOUND', `function "${name}" does not exist`);
        }
        const mode: Answer = options.follow ? { kind: 'stream', until: 'client' } : { kind: 'list' };
        answer(req, res, logs, { functionName: name, ...options }, mode, clock);
      },
    },
    {
      method: 'GET',
      path: '/v1/executions/{id}/logs',
      access: 'admin',
      handle({ req, res, params, query }) {
        const id = params.id!;
        const options = logParams(query, clock.now());
        const record = tracker.get(id);
        if (!record) throw new PlatformError('EXECUTION_NOT_FOUND', `execution "${id}" does not exist`);
        const mode: Answer = !options.follow
          ? { kind: 'list' }
          : { kind: 'stream', until: isTerminalState(record.status) ? 'now' : tracker.waitForEnd(id) };
        answer(
          req,
          res,
          logs,
          { functionName: record.functionName, executionId: id, ...options },
          mode,
          clock,
        );
      },
    },
  ];
}

function logParams(query: URLSearchParams, nowMs: number): LogParams {
  const followText = query.get('follow');
  if (followText !== null && followText !== 'true' && followText !== 'false') {
    throw validationError([{ field: 'query follow', rule: 'type', message: 'must be true or false' }]);
  }
  // `since=` (empty) sets no bound, like an absent parameter.
  const given = query.get('since');
  const sinceText = given === '' ? null : given;
  const sinceMs = sinceText === null ? undefined : parseLogSince(sinceText, nowMs);
  if (sinceText !== null && sinceMs === undefined) {
    throw validationError([
      {
        field: 'query since',
        rule: 'format',
        message: 'must be an RFC 3339 timestamp or a duration such as 90s, 10m, 2h, 1d',
      },
    ]);
  }
  const limitText = query.get('limit');
  const limit = limitText === null ? LogQueryLimits.defaultLimit : Number(limitText);
  if (
    !/^\d+$/.test(limitText ?? '1') ||
    !Number.isInteger(limit) ||
    limit < 1 ||
    limit > LogQueryLimits.maxLimit
  ) {
    throw validationError([
      {
        field: 'query limit',
        rule: 'maximum',
        message: `must be an integer from 1 to ${LogQueryLimits.maxLimit}`,
      },
    ]);
  }
  return { follow: followText === 'true', sinceMs, limit };
}

/** How long a response lasts: a LogList; or NDJSON until the client leaves, at once, or a promise. */
type Answer =
  | { readonly kind: 'list' }
  | { readonly kind: 'stream'; readonly until: 'client' | 'now' | Promise<unknown> };

/**
 * The matching lines as a LogList; or, to follow, as NDJSON: the same lines, then each new one,
 * until `until` settles (plus a grace for trailing lines), the client leaves, or the function is
 * deleted. Every line is one JSON.stringify'd LogEntry, so no function output can break the framing.
 */
function answer(
  req: IncomingMessage,
  res: ServerResponse,
  logs: FunctionLogStore,
  query: LogQuery,
  mode: Answer,
  clock: Clock,
): void {
  const { items, dropped } = logs.query(query);
  if (mode.kind === 'list') {
    sendJson(res, 200, dropped ? { items, dropped } : { items });
    return;
  }
  const { until } = mode;
  let finished = false;
  let cancelGrace: (() => void) | undefined;
  let stop: (() => void) | undefined;
  const finish = () => {
    if (finished) return;
    finished = true;
    stop?.();
    cancelGrace?.();
    res.end();
  };
  const write = (entry: LogEntry) => {
    if (finished) return;
    if (res.writableLength > MAX_UNSENT_BYTES) {
      finished = true;
      stop?.();
      res.destroy();
      return;
    }
    res.write(`${JSON.stringify(entry)}\n`);
  };
  if (until !== 'now') {
    const filter = {
      functionName: query.functionName,
      ...(query.executionId === undefined ? {} : { executionId: query.executionId }),
    };
    stop = logs.follow(filter, write, finish);
    if (stop === undefined) {
      throw new PlatformError('TOO_MANY_FOLLOWERS', 'too many log streams are open; try again later');
    }
  }
  res.writeHead(200, {
    'content-type': `${LOG_STREAM_CONTENT_TYPE}; charset=utf-8`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  for (const entry of items) write(entry);
  res.on('close', finish);
  req.on('close', () => {
    if (!res.writableEnded) finish();
  });
  if (until === 'now') finish();
  else if (until !== 'client') {
    void until.then(() => {
      if (!finished) cancelGrace = clock.setTimer(finish, EXECUTION_END_GRACE_MS);
    });
  }
}
