import type { TSchema } from '@sinclair/typebox';
import { CompletionCallbackSchema } from './completion-callback.js';
import { ErrorCatalogue } from './error-catalogue.js';
import { ErrorBodySchema, ErrorInfoSchema, ValidationIssueSchema } from './error-info.js';
import {
  EXECUTION_CURSOR_PATTERN,
  ExecutionListSchema,
  ExecutionStateSchema,
  ExecutionStatusSchema,
} from './execution.js';
import { FUNCTION_NAME_PATTERN, MAX_FUNCTION_NAME_LENGTH } from './function-name.js';
import { FunctionListSchema, FunctionResponseSchema, FunctionStatusSchema } from './function-response.js';
import { FunctionSpecSchema, ResourcesSchema, ScalingSchema } from './function-spec.js';
import { Headers, IDEMPOTENCY_KEY_PATTERN } from './headers.js';
import { EnqueueResponseSchema, InvocationRequestSchema, InvocationResponseSchema } from './invocation.js';
import { FunctionLimits } from './limits.js';
import { LOG_SINCE_DURATION_PATTERN, LogEntrySchema, LogListSchema } from './logs.js';
import { logPaths } from './openapi-log-paths.js';
import { statsPaths } from './openapi-stats-paths.js';
import { ReplicasRequestSchema } from './replicas.js';
import {
  ExecutionStatsSchema,
  FunctionStatsSummarySchema,
  LatencySummarySchema,
  StatsBucketSchema,
  StatusCountsSchema,
} from './stats.js';
import { WhoAmISchema } from './whoami.js';

type Json = Record<string, unknown>;

const componentSchemas: TSchema[] = [
  FunctionSpecSchema,
  ScalingSchema,
  ResourcesSchema,
  FunctionStatusSchema,
  FunctionResponseSchema,
  FunctionListSchema,
  InvocationRequestSchema,
  InvocationResponseSchema,
  EnqueueResponseSchema,
  ExecutionStateSchema,
  ExecutionStatusSchema,
  ExecutionListSchema,
  CompletionCallbackSchema,
  ReplicasRequestSchema,
  LogEntrySchema,
  LogListSchema,
  StatusCountsSchema,
  LatencySummarySchema,
  StatsBucketSchema,
  FunctionStatsSummarySchema,
  ExecutionStatsSchema,
  WhoAmISchema,
  ValidationIssueSchema,
  ErrorInfoSchema,
  ErrorBodySchema,
];

/** JSON Schema of a TypeBox schema, with nested named schemas replaced by $refs. */
function toComponent(schema: TSchema, top: boolean): Json {
  const id = (schema as { $id?: string }).$id;
  if (!top && id !== undefined) return { $ref: `#/components/schemas/${id}` };
  const plain: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$id' || key === 'errorMessage') continue;
    plain[key] = convert(value);
  }
  return plain;
}

function convert(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(convert);
  if (value !== null && typeof value === 'object') {
    if (isSchema(value)) return toComponent(value, false);
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, convert(inner)]));
  }
  return value;
}

function isSchema(value: object): value is TSchema {
  return Object.getOwnPropertySymbols(value).some((symbol) => symbol.description === 'TypeBox.Kind');
}

/** `since` / `until` of GET /v1/executions: a duration back from now, an RFC 3339 time, or empty. */
const timeBoundSchema = {
  anyOf: [
    { type: 'string', pattern: LOG_SINCE_DURATION_PATTERN },
    { type: 'string', format: 'date-time' },
    { type: 'string', maxLength: 0 },
  ],
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json) => ({ 'application/json': { schema } });
const errorResponse = (description: string, headers?: Json) => ({
  description,
  content: json(ref('ErrorBody')),
  ...(headers ? { headers } : {}),
});

const retryAfterHeader = {
  [Headers.retryAfter]: { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
  [Headers.rejectReason]: { description: 'RATE_LIMITED or QUEUE_FULL.', schema: { type: 'string' } },
};
const commonErrors = {
  '400': errorResponse('Invalid input; `error.issues` names each field and rule.'),
  '401': errorResponse('Missing or invalid API key.'),
  '403': errorResponse('The API key role does not allow this.'),
};
const nameParam = {
  name: 'name',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: FUNCTION_NAME_PATTERN, maxLength: MAX_FUNCTION_NAME_LENGTH },
};
const headerParam = (name: string, description: string, schema: Json = { type: 'string' }) => ({
  name,
  in: 'header',
  required: false,
  description,
  schema,
});
const invokeHeaders = [
  headerParam(Headers.idempotencyKey, 'Same key + same payload returns the same execution.', {
    type: 'string',
    pattern: IDEMPOTENCY_KEY_PATTERN,
  }),
  headerParam(Headers.traceId, 'Trace id; generated when missing.'),
  headerParam(Headers.traceparent, 'W3C trace context.'),
];
const notFound = errorResponse('Unknown function.');
const rateLimited = errorResponse('Rate limit hit or queue full.', retryAfterHeader);

function invokeOperation(): Json {
  return {
    summary: 'Invoke a function and wait for its result',
    operationId: 'invokeFunction',
    parameters: [
      nameParam,
      ...invokeHeaders,
      headerParam(Headers.timeoutMs, 'Upper bound of the whole wait, in ms.', {
        type: 'integer',
        minimum: 1,
        maximum: FunctionLimits.maxTimeoutMs,
      }),
    ],
    requestBody: { required: true, content: json(ref('InvocationRequest')) },
    responses: {
      '200': {
        description: 'The function succeeded.',
        headers: {
          [Headers.executionId]: { schema: { type: 'string' } },
          [Headers.coldStart]: {
            description: 'true when the call waited for a cold start.',
            schema: { type: 'string' },
          },
        },
        content: json(ref('InvocationResponse')),
      },
      ...commonErrors,
      '404': notFound,
      '408': {
        description: 'Timed out; the execution stays `timeout`.',
        content: json(ref('InvocationResponse')),
      },
      '409': errorResponse('Idempotency-Key reused with a different payload.'),
      '413': errorResponse('Body over the limit.'),
      '429': rateLimited,
      '500': {
        description: 'The function failed (origin function).',
        content: json(ref('InvocationResponse')),
      },
      '502': {
        description: 'The platform could not run the function.',
        content: json(ref('InvocationResponse')),
      },
      '503': errorResponse('Function unavailable or the control plane is shutting down.'),
    },
  };
}

function enqueueOperation(): Json {
  return {
    summary: 'Queue an invocation durably; answers once it is committed',
    operationId: 'enqueueFunction',
    parameters: [
      nameParam,
      ...invokeHeaders,
      headerParam(
        Headers.callbackUrl,
        'POST the final ExecutionStatus here (signed with X-Nanofaas-Signature). Needs webhooks on ' +
          '(NANOFAAS_WEBHOOK_SECRET) and a public http(s) URL: loopback, private and link-local ' +
          'targets are refused unless allowed by name. Empty: none.',
        {
          anyOf: [
            { type: 'string', format: 'uri', pattern: '^https?://' },
            { type: 'string', maxLength: 0 },
          ],
        },
      ),
    ],
    requestBody: { required: true, content: json(ref('InvocationRequest')) },
    responses: {
      '202': { description: 'Queued.', content: json(ref('EnqueueResponse')) },
      '200': {
        description: 'Idempotent replay of an earlier enqueue.',
        content: json(ref('EnqueueResponse')),
      },
      ...commonErrors,
      '404': notFound,
      '409': errorResponse('Idempotency-Key reused with a different payload.'),
      '413': errorResponse('Body over the limit.'),
      '429': rateLimited,
      '503': errorResponse('The control plane is shutting down.'),
    },
  };
}

/**
 * FunctionSpec rules across fields that JSON Schema can say (validation checks them in
 * validateFunctionSpec): something to run. The rest is in the description.
 */
/** The field is there and not null (null means absent, DESIGN.md §3). */
const given = (key: string): Json => ({ required: [key], properties: { [key]: { not: { type: 'null' } } } });
const poolMode = { required: ['executionMode'], properties: { executionMode: { const: 'POOL' } } };
/** "if a then b", as JSON Schema without `if`/`then`: not a, or b. */
const implies = (a: Json, b: Json): Json => ({ anyOf: [{ not: a }, b] });
const functionSpecRules: Json = {
  anyOf: [given('image'), given('runtimeCommand'), given('endpointUrl')],
  allOf: [
    // POOL calls endpointUrl, and endpointUrl is called only in POOL: given with executionMode
    // POOL, or alone (then POOL is the default).
    implies(poolMode, given('endpointUrl')),
    implies(given('endpointUrl'), {
      anyOf: [
        poolMode,
        { not: { anyOf: [given('executionMode'), given('image'), given('runtimeCommand')] } },
      ],
    }),
  ],
  description:
    'One of image, runtimeCommand or endpointUrl is required. Also checked at registration: ' +
    'scaling.minReplicas ≤ scaling.maxReplicas, scalingConfig (an alias of scaling) not beside ' +
    'scaling, on PUT the name equals the path name, and what the backend needs to run the spec ' +
    '(the local backend: a runtimeCommand whose program exists, a workdir under the functions root, ' +
    'resources.memory of at least 4Mi; the kubernetes backend: an image for DEPLOYMENT and REMOTE).',
};

/** Request shapes in which an explicit `null` for an optional field means absent (DESIGN.md §3). */
const NULL_MEANS_ABSENT = ['FunctionSpec', 'Scaling', 'Resources', 'InvocationRequest'];

/** The schema with each optional property also allowing `null`. */
function withNullableOptionals(schema: Json): Json {
  const properties = schema['properties'] as Record<string, Json> | undefined;
  if (properties === undefined) return schema;
  const required = new Set((schema['required'] as string[] | undefined) ?? []);
  const nullable = Object.fromEntries(
    Object.entries(properties).map(([key, property]) => [
      key,
      required.has(key) ? property : { anyOf: [property, { type: 'null' }] },
    ]),
  );
  return { ...schema, properties: nullable };
}

/** The OpenAPI 3.1 document of the control plane's HTTP API (openapi.yaml is generated from it). */
export function buildOpenApiDocument(version: string): Json {
  const schemas: Record<string, Json> = Object.fromEntries(
    componentSchemas.map((schema) => [(schema as { $id: string }).$id, toComponent(schema, true)]),
  );
  schemas['FunctionSpec'] = { ...schemas['FunctionSpec'], ...functionSpecRules };
  for (const name of NULL_MEANS_ABSENT) schemas[name] = withNullableOptionals(schemas[name]!);
  return {
    openapi: '3.1.0',
    info: {
      title: 'nanofaas control plane',
      version,
      description:
        'Register functions and invoke them synchronously or through a durable queue. Error codes: ' +
        Object.keys(ErrorCatalogue).join(', ') +
        ' (docs/errors.md).',
    },
    servers: [{ url: 'http://127.0.0.1:8080' }],
    components: {
      schemas,
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'Required when NANOFAAS_API_KEYS is set.' },
        callbackToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'Per-execution token given to one-shot runs.',
        },
      },
    },
    security: [{ apiKey: [] }],
    paths: {
      '/v1/functions': {
        get: {
          summary: 'List functions',
          operationId: 'listFunctions',
          description:
            "Any role; for the invoke role without `env` (it often holds the function's credentials).",
          responses: {
            '200': { description: 'Functions.', content: json(ref('FunctionList')) },
            ...commonErrors,
          },
        },
        post: {
          summary: 'Register a function',
          operationId: 'registerFunction',
          requestBody: { required: true, content: json(ref('FunctionSpec')) },
          responses: {
            '201': { description: 'Registered.', content: json(ref('FunctionResponse')) },
            ...commonErrors,
            '409': errorResponse('A function with that name exists.'),
          },
        },
      },
      '/v1/functions/{name}': {
        parameters: [nameParam],
        get: {
          summary: 'Get a function with its live status',
          operationId: 'getFunction',
          description: 'Any role; for the invoke role without `env`.',
          responses: {
            '200': { description: 'The function.', content: json(ref('FunctionResponse')) },
            ...commonErrors,
            '404': notFound,
          },
        },
        put: {
          summary: 'Update a function (new instances use it; in-flight work finishes on the old one)',
          operationId: 'updateFunction',
          requestBody: { required: true, content: json(ref('FunctionSpec')) },
          responses: {
            '200': { description: 'Updated.', content: json(ref('FunctionResponse')) },
            ...commonErrors,
            '404': notFound,
          },
        },
        delete: {
          summary: 'Delete a function; its queued executions end as FUNCTION_DELETED',
          operationId: 'deleteFunction',
          responses: { '204': { description: 'Deleted.' }, ...commonErrors, '404': notFound },
        },
      },
      '/v1/functions/{name}:invoke': { post: invokeOperation() },
      '/v1/functions/{name}:enqueue': { post: enqueueOperation() },
      '/v1/functions/{name}/replicas': {
        put: {
          summary: 'Pin the replica count',
          operationId: 'setReplicas',
          parameters: [nameParam],
          requestBody: { required: true, content: json(ref('ReplicasRequest')) },
          responses: {
            '200': { description: 'Pinned.', content: json(ref('FunctionResponse')) },
            ...commonErrors,
            '404': notFound,
          },
        },
      },
      '/v1/executions': {
        get: {
          summary: 'List executions, newest first',
          operationId: 'listExecutions',
          parameters: [
            {
              name: 'function',
              in: 'query',
              required: false,
              schema: { type: 'string', pattern: FUNCTION_NAME_PATTERN },
            },
            { name: 'status', in: 'query', required: false, schema: ref('ExecutionState') },
            {
              name: 'limit',
              in: 'query',
              required: false,
              schema: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
            },
            {
              name: 'since',
              in: 'query',
              required: false,
              description:
                'Only executions created at or after this: an RFC 3339 timestamp or a duration back from now (90s, 10m, 2h, 1d). Empty: no bound.',
              schema: timeBoundSchema,
            },
            {
              name: 'until',
              in: 'query',
              required: false,
              description: 'Only executions created before this (same forms as `since`). Empty: no bound.',
              schema: timeBoundSchema,
            },
            {
              name: 'after',
              in: 'query',
              required: false,
              description:
                'The `next` of the previous page: the executions listed after it. Empty: the first page.',
              schema: {
                anyOf: [
                  { type: 'string', pattern: EXECUTION_CURSOR_PATTERN },
                  { type: 'string', maxLength: 0 },
                ],
              },
            },
          ],
          responses: {
            '200': { description: 'Executions.', content: json(ref('ExecutionList')) },
            ...commonErrors,
          },
        },
      },
      '/v1/executions/{id}': {
        get: {
          summary: 'Status and result of an execution',
          operationId: 'getExecution',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'The execution.', content: json(ref('ExecutionStatus')) },
            ...commonErrors,
            '404': errorResponse('Unknown or expired execution.'),
          },
        },
      },
      ...logPaths(),
      ...statsPaths(),
      '/v1/internal/executions/{id}:complete': {
        post: {
          summary: 'Completion callback of a one-shot run',
          operationId: 'completeExecution',
          security: [{ callbackToken: [] }],
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            headerParam(Headers.executionId, 'The execution id (same as the path).'),
          ],
          requestBody: { required: true, content: json(ref('CompletionCallback')) },
          responses: {
            '200': { description: 'Recorded, or ignored because the execution is already terminal.' },
            '400': errorResponse('Invalid callback body.'),
            '401': errorResponse('Missing or wrong callback token.'),
            '404': errorResponse('Unknown execution.'),
          },
        },
      },
      '/healthz': {
        get: { summary: 'Liveness', security: [], responses: { '200': { description: 'Alive.' } } },
      },
      '/readyz': {
        get: {
          summary: 'Readiness',
          security: [],
          responses: { '200': { description: 'Ready.' }, '503': errorResponse('Starting or shutting down.') },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          security: [],
          responses: {
            '200': { description: 'Metrics.', content: { 'text/plain': { schema: { type: 'string' } } } },
          },
        },
      },
      '/openapi.json': {
        get: {
          summary: 'This document',
          security: [],
          responses: { '200': { description: 'OpenAPI 3.1.' } },
        },
      },
    },
  };
}
