// Overload: a function that can serve CAPACITY requests/s (concurrency 4 × one 20 ms answer) is
// offered ten times that, open loop, for a bounded time; what share is refused with 429 (the
// honest answer) vs 5xx, how long the admitted ones take, and what happens meanwhile to another
// function's latency (one request at a time) compared with the same function alone.
import { fixture, HttpClient, percentile, sleep } from '../lib/harness.mjs';
import { startControlPlane, startNodeRuntime } from '../lib/processes.mjs';

export const id = 'overload';
export const title = 'Overload: 10 × a function’s capacity';

const CONCURRENCY = 4;
const ANSWER_MS = 20;
const CAPACITY = (CONCURRENCY * 1000) / ANSWER_MS; // 200/s

export async function run(ctx) {
  const client = new HttpClient();
  const result = { points: {}, goals: [], charts: [], figures: {} };
  try {
    const slowRuntime = await startNodeRuntime(ctx, fixture('slow-handler.mjs'));
    const echoRuntime = await startNodeRuntime(ctx);
    const cp = await startControlPlane(ctx, 'pool');
    await client.api(cp.base, 'POST', '/v1/functions', {
      name: 'slow',
      endpointUrl: `${slowRuntime.url}/invoke`,
      concurrency: CONCURRENCY,
      queueSize: 2 * CONCURRENCY,
      timeoutMs: 10_000,
      scaling: { minReplicas: 1, maxReplicas: 1 },
    });
    await client.api(cp.base, 'POST', '/v1/functions', {
      name: 'other',
      endpointUrl: `${echoRuntime.url}/invoke`,
      scaling: { minReplicas: 1, maxReplicas: 1 },
    });
    const seconds = ctx.quick ? 1 : 5;
    const other = (stop) => sequential(client, `${cp.base}/v1/functions/other:invoke`, stop);

    ctx.log('overload: the other function alone');
    const alone = await other(deadline(seconds));

    ctx.log(`overload: ${10 * CAPACITY}/s offered to a function of capacity ${CAPACITY}/s for ${seconds} s`);
    const stopAt = deadline(seconds);
    const [offered, meanwhile] = await Promise.all([
      openLoop(client, `${cp.base}/v1/functions/slow:invoke`, 10 * CAPACITY, stopAt),
      other(stopAt),
    ]);
    await ctx.procs.stop(cp.child, 10_000);

    const byClass = { ok: 0, 429: 0, '5xx': 0, other: 0 };
    for (const a of offered) {
      if (a.status === 200) byClass.ok++;
      else if (a.status === 429) byClass[429]++;
      else if (a.status >= 500) byClass['5xx']++;
      else byClass.other++;
    }
    const admitted = offered.filter((a) => a.status === 200).map((a) => a.ms);
    const share = (n) => `${((100 * n) / offered.length).toFixed(1)} %`;
    const lat = (list) =>
      `p50 ${percentile(list, 50).toFixed(2)} ms, p99 ${percentile(list, 99).toFixed(2)} ms`;
    result.figures = {
      offered: offered.length,
      byClass,
      admittedP50Ms: percentile(admitted, 50),
      admittedP99Ms: percentile(admitted, 99),
      otherAlone: { p50Ms: percentile(alone, 50), p99Ms: percentile(alone, 99), count: alone.length },
      otherMeanwhile: {
        p50Ms: percentile(meanwhile, 50),
        p99Ms: percentile(meanwhile, 99),
        count: meanwhile.length,
      },
    };
    result.goals.push({
      what: `overload, ${10 * CAPACITY}/s offered to a ${CAPACITY}/s function: answers`,
      target: 'excess refused with 429, no 5xx',
      measured: `${offered.length} requests: 200 ${share(byClass.ok)}, 429 ${share(byClass[429])}, 5xx ${share(byClass['5xx'])}, other ${share(byClass.other)}`,
      met: byClass['5xx'] === 0 && byClass.other === 0 && byClass[429] > 0,
    });
    result.goals.push({
      what: 'overload: latency of the admitted requests',
      target: '(reported; one answer takes 20 ms)',
      measured: lat(admitted),
      met: null,
    });
    result.goals.push({
      what: 'overload: another function’s latency meanwhile (one request at a time)',
      target: '(reported against the same function alone)',
      measured: `${lat(meanwhile)} vs alone ${lat(alone)}`,
      met: null,
    });
    result.latencyCharts = [
      {
        title: 'Overload: latency (ms)',
        bars: [
          {
            name: 'admitted (20 ms function)',
            p50: percentile(admitted, 50),
            p95: percentile(admitted, 99),
            label95: 'p99',
          },
          {
            name: 'other function alone',
            p50: percentile(alone, 50),
            p95: percentile(alone, 99),
            label95: 'p99',
          },
          {
            name: 'other function meanwhile',
            p50: percentile(meanwhile, 50),
            p95: percentile(meanwhile, 99),
            label95: 'p99',
          },
        ],
      },
    ];
  } finally {
    client.close();
  }
  return result;
}

const deadline = (seconds) => performance.now() + seconds * 1000;

async function sequential(client, url, stopAt) {
  const out = [];
  while (performance.now() < stopAt) {
    const answer = await client.send(url, { body: { input: out.length } });
    if (answer.status === 200) out.push(answer.ms);
    else await sleep(5);
  }
  return out;
}

/** Sends `ratePerS` requests per second in 10 ms ticks until `stopAt`; resolves every answer. */
async function openLoop(client, url, ratePerS, stopAt) {
  const pending = [];
  const perTick = ratePerS / 100;
  const started = performance.now();
  let sent = 0;
  while (performance.now() < stopAt) {
    const due = Math.floor(((performance.now() - started) / 1000) * ratePerS) + perTick;
    while (sent < due) pending.push(client.send(url, { body: { input: sent++ } }));
    await sleep(10);
  }
  return Promise.all(pending);
}
