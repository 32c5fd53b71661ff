import { PlatformError, parseStatsWindow, StatsLimits } from '@nanofaas/contracts';
import type { Clock } from '../../deps/clock.js';
import { computeExecutionStats, type FunctionLoad } from '../../executions/execution-stats.js';
import type { AppServices } from '../app-services.js';
import { sendJson } from '../respond.js';
import type { Route } from '../route.js';
import { functionNameParam, validationError } from '../validate-input.js';

/**
 * GET /v1/stats and GET /v1/functions/{name}/stats: counts, error rate and latency percentiles of
 * the executions created in a window, computed from the stored executions (at most
 * StatsLimits.maxSamples of them, the most recent), with in-flight and queued counts of now.
 */
export function statsRoutes(services: AppServices, clock: Clock, load: FunctionLoad): Route[] {
  const { registry, tracker } = services;
  const stats = (windowText: string | null, functionName: string | undefined, functionNames: string[]) => {
    const text = windowText ?? StatsLimits.defaultWindow;
    const windowMs = parseStatsWindow(text);
    if (windowMs === undefined) {
      throw validationError([
        {
          field: 'query window',
          rule: 'format',
          message: `must be a duration such as 30s, 5m or 1h, from ${StatsLimits.minWindowMs / 1000}s to ${StatsLimits.maxWindowMs / 3_600_000}h`,
        },
      ]);
    }
    const toMs = clock.now();
    const fromMs = toMs - windowMs;
    const samples = tracker.samples(fromMs, functionName, StatsLimits.maxSamples + 1);
    const sampled = samples.length > StatsLimits.maxSamples;
    return computeExecutionStats(sampled ? samples.slice(0, StatsLimits.maxSamples) : samples, {
      window: { text, fromMs, toMs, buckets: StatsLimits.buckets },
      load,
      sampled,
      functionName,
      functionNames,
    });
  };
  return [
    {
      method: 'GET',
      path: '/v1/stats',
      access: 'invoke',
      handle({ res, query }) {
        const names = registry.list().map((fn) => fn.name);
        sendJson(res, 200, stats(query.get('window'), undefined, names), { 'cache-control': 'no-store' });
      },
    },
    {
      method: 'GET',
      path: '/v1/functions/{name}/stats',
      access: 'invoke',
      handle({ res, params, query }) {
        const name = functionNameParam(params.name!);
        if (registry.deployed(name) === undefined) {
          throw new PlatformError('FUNCTION_NOT_FOUND', `function "${name}" does not exist`);
        }
        sendJson(res, 200, stats(query.get('window'), name, [name]), { 'cache-control': 'no-store' });
      },
    },
  ];
}
