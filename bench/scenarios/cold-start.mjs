// Cold starts of a Node function on the local backend (default isolation): register → first
// success, and the first response of a function scaled to zero.
import { HttpClient, percentile, sleep } from '../lib/harness.mjs';
import { nodeFunctionCommand, startControlPlane } from '../lib/processes.mjs';

export const id = 'cold-start';
export const title = 'Cold start, Node function, local backend';

export async function run(ctx) {
  const client = new HttpClient();
  const runs = ctx.quick ? 5 : 25;
  const result = { points: {}, goals: [], charts: [], figures: {} };
  try {
    const cp = await startControlPlane(ctx, 'local', { NANOFAAS_LOCAL_AUTOSCALE_INTERVAL_MS: '50' });
    const command = nodeFunctionCommand();

    const register = [];
    for (let run = 0; run < runs; run++) {
      const name = `cold-${run}`;
      const started = performance.now();
      await client.api(cp.base, 'POST', '/v1/functions', { name, runtimeCommand: command });
      const reply = await client.api(cp.base, 'POST', `/v1/functions/${name}:invoke`, { input: run });
      register.push(performance.now() - started);
      if (reply.output !== run) throw new Error(`unexpected answer ${JSON.stringify(reply)}`);
      await client.api(cp.base, 'DELETE', `/v1/functions/${name}`);
    }

    await client.api(cp.base, 'POST', '/v1/functions', {
      name: 'zero',
      runtimeCommand: command,
      scaling: { minReplicas: 0, maxReplicas: 1, idleTimeoutMs: 100 },
    });
    const fromZero = [];
    for (let run = 0; run < runs; run++) {
      for (let i = 0; i < 3000; i++) {
        const { status } = await client.api(cp.base, 'GET', '/v1/functions/zero');
        if (status.state === 'scaled-to-zero' && status.instances.length === 0) break;
        await sleep(10);
      }
      await sleep(100); // the stopped replica's processes finish exiting
      const started = performance.now();
      const reply = await client.api(cp.base, 'POST', '/v1/functions/zero:invoke', { input: run });
      fromZero.push(performance.now() - started);
      if (reply.coldStart !== true) throw new Error(`expected a cold start: ${JSON.stringify(reply)}`);
    }
    await ctx.procs.stop(cp.child, 10_000);

    const figure = (list) => ({
      runs: list.length,
      p50Ms: percentile(list, 50),
      p95Ms: percentile(list, 95),
      minMs: Math.min(...list),
      maxMs: Math.max(...list),
    });
    result.figures.registerToFirstSuccess = figure(register);
    result.figures.scaleFromZero = figure(fromZero);
    const text = (f) =>
      `p50 ${f.p50Ms.toFixed(0)} ms, p95 ${f.p95Ms.toFixed(0)} ms (min ${f.minMs.toFixed(0)}, max ${f.maxMs.toFixed(0)}; ${f.runs} runs)`;
    result.goals.push({
      what: 'cold start, Node function: register → first success',
      target: '≤ 150 ms p50',
      measured: text(result.figures.registerToFirstSuccess),
      met: result.figures.registerToFirstSuccess.p50Ms <= 150,
    });
    result.goals.push({
      what: 'cold start, Node function: scale from zero → first response',
      target: '≤ 100 ms p50',
      measured: text(result.figures.scaleFromZero),
      met: result.figures.scaleFromZero.p50Ms <= 100,
    });
    result.latencyCharts = [
      {
        title: 'Cold start, Node function (ms)',
        bars: [
          {
            name: 'register → first success',
            p50: result.figures.registerToFirstSuccess.p50Ms,
            p95: result.figures.registerToFirstSuccess.p95Ms,
          },
          {
            name: 'scale from zero',
            p50: result.figures.scaleFromZero.p50Ms,
            p95: result.figures.scaleFromZero.p95Ms,
          },
        ],
      },
    ];
  } finally {
    client.close();
  }
  return result;
}
