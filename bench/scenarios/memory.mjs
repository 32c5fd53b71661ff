// Memory of the control plane (RSS from /proc): idle, with 1,000 functions registered, with 10,000
// executions queued, and around a burst of 16 concurrent 6 MiB invocations (peak and after).
import { fixture, HttpClient, rssMb, sleep } from '../lib/harness.mjs';
import { startControlPlane, startNodeRuntime } from '../lib/processes.mjs';

export const id = 'memory';
export const title = 'Memory of the control plane';

export async function run(ctx) {
  const client = new HttpClient();
  const result = { points: {}, goals: [], charts: [], figures: {} };
  try {
    const echo = await startNodeRuntime(ctx);
    const slow = await startNodeRuntime(ctx, fixture('slow-handler.mjs'));

    // Registrations and a deep queue.
    const cp = await startControlPlane(ctx, 'pool');
    await sleep(2000);
    const idle = rssMb(cp.pid);
    await HttpClient.pool(1000, 16, (i) =>
      client.api(cp.base, 'POST', '/v1/functions', { name: `fn-${i}`, endpointUrl: `${echo.url}/invoke` }),
    );
    const registered = rssMb(cp.pid);
    await client.api(cp.base, 'POST', '/v1/functions', {
      name: 'held',
      endpointUrl: `${slow.url}/invoke`,
      concurrency: 1,
      queueSize: 100_000,
      scaling: { minReplicas: 1, maxReplicas: 1 },
    });
    const queuedCount = ctx.quick ? 2000 : 10_000;
    const answers = await HttpClient.pool(queuedCount, 64, (i) =>
      client.send(`${cp.base}/v1/functions/held:enqueue`, { body: { input: i } }),
    );
    const refused = answers.filter((a) => a.status !== 202).length;
    const queued = rssMb(cp.pid);
    await ctx.procs.stop(cp.child, 10_000);

    // Large payloads on a fresh control plane.
    const big = await startControlPlane(ctx, 'pool');
    await client.api(big.base, 'POST', '/v1/functions', {
      name: 'echo',
      endpointUrl: `${echo.url}/invoke`,
      concurrency: 16,
      scaling: { minReplicas: 1, maxReplicas: 1 },
    });
    await sleep(1000);
    const bigIdle = rssMb(big.pid);
    const body = `{"input":"${'x'.repeat(6 * 1024 * 1024 - 64)}"}`;
    const statuses = [];
    for (let burst = 0; burst < (ctx.quick ? 1 : 3); burst++) {
      const list = await Promise.all(
        Array.from({ length: 16 }, () => client.send(`${big.base}/v1/functions/echo:invoke`, { body })),
      );
      statuses.push(...list.map((a) => a.status));
    }
    const peak = rssMb(big.pid, 'VmHWM');
    await sleep(2000);
    const after = rssMb(big.pid);
    await ctx.procs.stop(big.child, 10_000);

    const count = (s) => statuses.filter((x) => x === s).length;
    result.figures = {
      idle,
      registered,
      queued,
      refused,
      bigIdle,
      peak,
      after,
      statuses: { 200: count(200), 503: count(503) },
    };
    result.goals.push({
      what: 'control plane idle RSS',
      target: '≤ 80 MB',
      measured: `${idle.toFixed(1)} MB`,
      met: idle <= 80,
    });
    result.goals.push({
      what: 'control plane RSS, 1,000 functions registered',
      target: '(reported)',
      measured: `${registered.toFixed(1)} MB`,
      met: null,
    });
    result.goals.push({
      what: `control plane RSS, ${queuedCount.toLocaleString('en')} executions queued`,
      target: '(reported)',
      measured: `${queued.toFixed(1)} MB (${refused} refused)`,
      met: null,
    });
    result.goals.push({
      what: 'control plane RSS after bursts of 16 concurrent 6 MiB invocations',
      target: '≤ 200 MB',
      measured: `${after.toFixed(1)} MB 2 s after (peak ${peak.toFixed(1)} MB, before ${bigIdle.toFixed(1)} MB; ${count(200)} answered 200, ${count(503)} 503 OVERLOADED by the in-flight body budget)`,
      met: after <= 200,
    });
    result.memoryChart = {
      title: 'Control plane RSS (MB)',
      bars: [
        { name: 'idle', value: idle },
        { name: '1,000 functions', value: registered },
        { name: `+ ${queuedCount.toLocaleString('en')} queued`, value: queued },
        { name: '6 MiB bursts: peak', value: peak },
        { name: '6 MiB bursts: after', value: after },
      ],
      limits: [
        { value: 80, label: 'idle target 80 MB' },
        { value: 200, label: 'after-burst target 200 MB' },
      ],
    };
  } finally {
    client.close();
  }
  return result;
}
