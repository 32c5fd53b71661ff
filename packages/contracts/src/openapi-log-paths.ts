import { FUNCTION_NAME_PATTERN, MAX_FUNCTION_NAME_LENGTH } from './function-name.js';
import { LOG_SINCE_DURATION_PATTERN, LOG_STREAM_CONTENT_TYPE, LogQueryLimits } from './logs.js';

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ref('ErrorBody') } },
});

const queryParameters = [
  {
    name: 'follow',
    in: 'query',
    required: false,
    description:
      'true: answer with an NDJSON stream (application/x-ndjson, one LogEntry per line): the lines ' +
      'that match, then each new line as it arrives. Execution logs end when the execution ends.',
    schema: { type: 'boolean', default: false },
  },
  {
    name: 'since',
    in: 'query',
    required: false,
    description:
      'Only lines received after this: an RFC 3339 timestamp, or a duration back from now (90s, 10m, 2h, 1d). ' +
      'Empty: no bound.',
    schema: {
      anyOf: [
        { type: 'string', pattern: LOG_SINCE_DURATION_PATTERN },
        { type: 'string', format: 'date-time' },
        { type: 'string', maxLength: 0 },
      ],
    },
  },
  {
    name: 'limit',
    in: 'query',
    required: false,
    description: 'At most this many of the most recent matching lines (before following).',
    schema: {
      type: 'integer',
      minimum: 1,
      maximum: LogQueryLimits.maxLimit,
      default: LogQueryLimits.defaultLimit,
    },
  },
];

function logOperation(summary: string, operationId: string, pathParameter: Json, notFound: string): Json {
  return {
    summary,
    operationId,
    description:
      'Needs the admin role. Lines are kept in memory, a bounded number per function (docs/configuration.md, "Logs").',
    parameters: [pathParameter, ...queryParameters],
    responses: {
      '200': {
        description: 'The lines, oldest first.',
        content: {
          'application/json': { schema: ref('LogList') },
          [LOG_STREAM_CONTENT_TYPE]: { schema: ref('LogEntry') },
        },
      },
      '400': errorResponse('Invalid query parameter; `error.issues` names it.'),
      '401': errorResponse('Missing or invalid API key.'),
      '403': errorResponse('The API key role does not allow this.'),
      '404': errorResponse(notFound),
    },
  };
}

/** The log API's paths of the OpenAPI document. */
export function logPaths(): Json {
  return {
    '/v1/functions/{name}/logs': {
      get: logOperation(
        "Recent log lines of a function's processes",
        'getFunctionLogs',
        {
          name: 'name',
          in: 'path',
          required: true,
          schema: { type: 'string', pattern: FUNCTION_NAME_PATTERN, maxLength: MAX_FUNCTION_NAME_LENGTH },
        },
        'Unknown function.',
      ),
    },
    '/v1/executions/{id}/logs': {
      get: logOperation(
        'Log lines of one execution',
        'getExecutionLogs',
        { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
        'Unknown or expired execution.',
      ),
    },
  };
}
