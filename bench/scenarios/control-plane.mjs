// Control plane sync invoke of a warm function at 1, 16 and 64 connections:
// POOL (control plane → Node runtime) against a minimal Node keep-alive proxy in front of the same
// runtime, and local (control plane → watchdog → Node runtime) against the replica called directly.
import { compareTargets, roundRatio, totalCpuUs } from '../lib/compare.mjs';
import { findDescendant, HttpClient } from '../lib/harness.mjs';
import {
  nodeFunctionCommand,
  startControlPlane,
  startMinimalProxy,
  startNodeRuntime,
} from '../lib/processes.mjs';

export const id = 'control-plane';
export const title = 'Control plane sync invoke: POOL vs a minimal proxy, local vs the replica';

const CONNECTIONS = [1, 16, 64];
const WARM_SPEC = { concurrency: 256, queueSize: 100_000, scaling: { minReplicas: 1, maxReplicas: 1 } };

export async function run(ctx) {
  const client = new HttpClient();
  const result = { points: {}, goals: [], charts: [] };
  try {
    // POOL
    const runtime = await startNodeRuntime(ctx);
    const proxy = await startMinimalProxy(ctx, `${runtime.url}/invoke`);
    const pool = await startControlPlane(ctx, 'pool');
    await client.api(pool.base, 'POST', '/v1/functions', {
      name: 'echo',
      endpointUrl: `${runtime.url}/invoke`,
      ...WARM_SPEC,
    });
    ctx.log('control plane POOL');
    const poolPoints = compareTargets({
      targets: [
        {
          name: 'runtime directly',
          reference: true,
          url: `${runtime.url}/invoke`,
          hops: [{ name: 'runtime', pid: runtime.pid }],
        },
        {
          name: 'minimal Node proxy',
          reference: true,
          url: `${proxy.url}/invoke`,
          hops: [
            { name: 'proxy', pid: proxy.pid },
            { name: 'runtime', pid: runtime.pid },
          ],
        },
        {
          name: 'control plane (POOL)',
          url: `${pool.base}/v1/functions/echo:invoke`,
          hops: [
            { name: 'control plane', pid: pool.pid },
            { name: 'runtime', pid: runtime.pid },
          ],
        },
      ],
      connections: CONNECTIONS,
      timing: ctx.timing,
      log: ctx.log,
    });
    for (const child of [pool.child, proxy.child, runtime.child]) await ctx.procs.stop(child);
    result.points.pool = poolPoints;
    for (const point of poolPoints) {
      const ratio = roundRatio(point, 'control plane (POOL)', 'minimal Node proxy');
      const cp = point.targets['control plane (POOL)'].cpuUsPerRequest['control plane'].median;
      const px = point.targets['minimal Node proxy'].cpuUsPerRequest.proxy.median;
      const judged = point.connections >= 16;
      result.goals.push({
        what: `control plane sync invoke (POOL), ${point.connections} connection${point.connections > 1 ? 's' : ''}`,
        target: judged
          ? '≥ 90 % of a minimal Node keep-alive proxy; CPU per request ≤ 1.3 × the proxy’s'
          : '(reported)',
        measured: `${pct(ratio)} of the proxy; CPU ${cp.toFixed(1)} µs vs ${px.toFixed(1)} µs per request (${(cp / px).toFixed(2)} ×)`,
        met: judged ? ratio >= 0.9 && cp / px <= 1.3 : null,
      });
    }
    result.charts.push({ title: 'Control plane (POOL) vs minimal proxy', points: poolPoints });

    // local backend
    const local = await startControlPlane(ctx, 'local', { NANOFAAS_LOCAL_AUTOSCALE_INTERVAL_MS: '1000' });
    await client.api(local.base, 'POST', '/v1/functions', {
      name: 'echo',
      runtimeCommand: nodeFunctionCommand(),
      ...WARM_SPEC,
    });
    await client.api(local.base, 'POST', '/v1/functions/echo:invoke', { input: 'warm' });
    const [replica] = (await client.api(local.base, 'GET', '/v1/functions/echo')).status.instances;
    const watchdogPid = findDescendant(local.pid, 'watchdog');
    const runtimePid = watchdogPid && findDescendant(watchdogPid, 'node');
    const replicaHops = [
      ...(watchdogPid ? [{ name: 'watchdog', pid: watchdogPid }] : []),
      ...(runtimePid ? [{ name: 'runtime', pid: runtimePid }] : []),
    ];
    ctx.log('control plane local backend');
    const localPoints = compareTargets({
      targets: [
        {
          name: 'replica directly (watchdog → runtime)',
          reference: true,
          url: `http://127.0.0.1:${replica.port}/invoke`,
          hops: replicaHops,
        },
        {
          name: 'control plane (local) → replica',
          url: `${local.base}/v1/functions/echo:invoke`,
          hops: [{ name: 'control plane', pid: local.pid }, ...replicaHops],
        },
      ],
      connections: CONNECTIONS,
      timing: ctx.timing,
      log: ctx.log,
    });
    await ctx.procs.stop(local.child, 10_000);
    result.points.local = localPoints;
    for (const point of localPoints) {
      const ratio = roundRatio(
        point,
        'control plane (local) → replica',
        'replica directly (watchdog → runtime)',
      );
      const ours = point.targets['control plane (local) → replica'];
      result.goals.push({
        what: `control plane → watchdog → runtime (local backend), ${point.connections} connection${point.connections > 1 ? 's' : ''}`,
        target: '≥ 50 % of the replica called directly',
        measured: `${pct(ratio)}; CPU per request: ${Object.entries(ours.cpuUsPerRequest)
          .map(([hop, s]) => `${hop} ${s.median.toFixed(1)} µs`)
          .join(', ')} (total ${totalCpuUs(ours).toFixed(1)} µs)`,
        met: ratio >= 0.5,
      });
    }
    result.charts.push({
      title: 'Control plane (local backend) vs the replica directly',
      points: localPoints,
    });
  } finally {
    client.close();
  }
  return result;
}

const pct = (x) => `${(x * 100).toFixed(0)} %`;
