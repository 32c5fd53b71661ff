import { FUNCTION_NAME_PATTERN, MAX_FUNCTION_NAME_LENGTH } from './function-name.js';
import { STATS_WINDOW_PATTERN, StatsLimits } from './stats.js';

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ref('ErrorBody') } },
});
const authErrors = {
  '401': errorResponse('Missing or invalid API key.'),
  '403': errorResponse('The API key role does not allow this.'),
};

const windowParameter = {
  name: 'window',
  in: 'query',
  required: false,
  description:
    `How far back from now: a duration such as 30s, 5m or 1h, from ${StatsLimits.minWindowMs / 1000}s ` +
    `to ${StatsLimits.maxWindowMs / 3_600_000}h. Executions created in the window are counted (at most ` +
    `the ${StatsLimits.maxSamples} most recent; \`sampled\` says when more were left out), in ` +
    `${StatsLimits.buckets} equal buckets.`,
  schema: { type: 'string', default: StatsLimits.defaultWindow, pattern: STATS_WINDOW_PATTERN },
};

function statsOperation(summary: string, operationId: string, parameters: Json[], extra: Json): Json {
  return {
    summary,
    operationId,
    description:
      'Invoke or admin role. Computed from the stored executions; in-flight and queued counts are of now.',
    parameters: [...parameters, windowParameter],
    responses: {
      '200': {
        description: 'The statistics.',
        content: { 'application/json': { schema: ref('ExecutionStats') } },
      },
      '400': errorResponse('Invalid `window`; `error.issues` names it.'),
      ...authErrors,
      ...extra,
    },
  };
}

/** The stats API's and GET /v1/whoami's paths of the OpenAPI document. */
export function statsPaths(): Json {
  return {
    '/v1/stats': {
      get: statsOperation(
        'Execution statistics of every function, with a summary per function',
        'getStats',
        [],
        {},
      ),
    },
    '/v1/functions/{name}/stats': {
      get: statsOperation(
        "A function's execution statistics: counts, error rate, latency percentiles, a time series",
        'getFunctionStats',
        [
          {
            name: 'name',
            in: 'path',
            required: true,
            schema: { type: 'string', pattern: FUNCTION_NAME_PATTERN, maxLength: MAX_FUNCTION_NAME_LENGTH },
          },
        ],
        { '404': errorResponse('Unknown function.') },
      ),
    },
    '/v1/whoami': {
      get: {
        summary: "The caller's role (admin or invoke)",
        operationId: 'whoAmI',
        responses: {
          '200': { description: 'The role.', content: { 'application/json': { schema: ref('WhoAmI') } } },
          ...authErrors,
        },
      },
    },
  };
}
