import type { IncomingMessage, ServerResponse } from 'node:http';
import { type EnqueueResponse, HeaderKeys, httpStatusOf, type InvocationResponse } from '@nanofaas/contracts';
import type { ExecutionRecord } from '../../executions/execution-record.js';
import { traceContextOf } from '../../observability/trace-context.js';
import type { AppServices } from '../app-services.js';
import { BodyBudget } from '../body-budget.js';
import { parseInvocationBody } from '../invocation-body.js';
import type { LargeBodyReclaimer } from '../large-body-reclaimer.js';
import { readBody } from '../read-body.js';
import { sendJson, sendJsonWithOutput } from '../respond.js';
import type { Route } from '../route.js';
import {
  callbackUrlHeader,
  functionNameParam,
  headerValue,
  idempotencyKeyHeader,
  timeoutHeader,
} from '../validate-input.js';

/**
 * The hot path. :invoke answers with the execution's outcome and honest status codes: 200 success,
 * 500 function error, 408 timeout, 502/503 platform failure (DESIGN.md §3). :enqueue answers 202
 * once the execution is committed.
 */
export function invocationRoutes(services: AppServices, reclaimer: LargeBodyReclaimer): Route[] {
  const { invocations, config, ids } = services;
  const maxBytes = config.server.maxBodyBytes;
  // One budget for the bodies of every :invoke and :enqueue in flight (NANOFAAS_MAX_INFLIGHT_BODY_BYTES).
  const budget = new BodyBudget(config.server.maxInflightBodyBytes, reclaimer);
  const { webhookPolicy } = services;

  const optionsOf = (req: IncomingMessage) => ({
    trace: traceContextOf(
      headerValue(req.headers[HeaderKeys.traceparent]),
      headerValue(req.headers[HeaderKeys.traceId]),
      ids,
    ),
    idempotencyKey: idempotencyKeyHeader(headerValue(req.headers[HeaderKeys.idempotencyKey])),
  });

  return [
    {
      method: 'POST',
      path: '/v1/functions/{name}:invoke',
      access: 'invoke',
      async handle({ req, res, params }) {
        const name = functionNameParam(params.name!);
        const timeoutMs = timeoutHeader(headerValue(req.headers[HeaderKeys.timeoutMs]));
        const options = optionsOf(req);
        const request = parseInvocationBody(await readBody(req, maxBytes, { budget, res }));
        const { record } = await invocations.invoke(name, request, { ...options, timeoutMs });
        sendInvocationResult(res, record);
        const answered = record.output?.length ?? 0;
        if (reclaimer.counts(answered)) res.once('close', () => reclaimer.letGo(answered));
      },
    },
    {
      method: 'POST',
      path: '/v1/functions/{name}:enqueue',
      access: 'invoke',
      async handle({ req, res, params }) {
        const name = functionNameParam(params.name!);
        const callbackUrl = await callbackUrlHeader(
          headerValue(req.headers[HeaderKeys.callbackUrl]),
          webhookPolicy,
        );
        const options = optionsOf(req);
        const request = parseInvocationBody(await readBody(req, maxBytes, { budget, res }));
        const { record } = await invocations.enqueue(name, request, { ...options, callbackUrl });
        const body: EnqueueResponse = { executionId: record.id, status: 'queued' };
        sendJson(res, 202, body, {
          location: `/v1/executions/${record.id}`,
          [HeaderKeys.executionId]: record.id,
          [HeaderKeys.traceId]: record.traceId,
        });
      },
    },
  ];
}

const NULL_OUTPUT = Buffer.from('null');

function sendInvocationResult(res: ServerResponse, record: ExecutionRecord): void {
  const headers: Record<string, string> = {
    [HeaderKeys.executionId]: record.id,
    [HeaderKeys.traceId]: record.traceId,
  };
  const body: InvocationResponse = { executionId: record.id, status: record.status };
  if (record.coldStart !== undefined) body.coldStart = record.coldStart;
  // The backend started an instance for this request and it waited for it (DESIGN.md §3).
  if (record.coldStart === true) headers[HeaderKeys.coldStart] = 'true';
  switch (record.status) {
    case 'success':
      sendJsonWithOutput(res, 200, body, record.output ?? NULL_OUTPUT, headers);
      return;
    case 'error':
    case 'timeout': {
      const error = record.error!;
      body.error = error;
      headers[HeaderKeys.errorOrigin] = error.origin ?? 'function';
      sendJson(res, record.status === 'timeout' ? 408 : httpStatusOf(error), body, headers);
      return;
    }
    case 'queued':
    case 'running':
      // Only an idempotent replay of an execution still running gets here, after its wait ran out.
      body.error = {
        code: 'TIMEOUT',
        message: 'the execution is still running',
        origin: 'function',
        retryable: true,
      };
      headers[HeaderKeys.errorOrigin] = 'function';
      sendJson(res, 408, body, headers);
      return;
  }
}
