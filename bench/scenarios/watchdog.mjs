// The watchdog: (a) warm HTTP proxy in front of a minimal node:http runtime vs that runtime called
// directly, at 4, 16 and 64 connections; (b) STDIO, one `cat` per invocation, vs a bare C
// posix_spawn loop of `cat` on every core; binary size and the watchdog's peak RSS.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { compareTargets, roundRatio } from '../lib/compare.mjs';
import { childPids, cpuMicros, fixture, rssMb, runWrk, spread } from '../lib/harness.mjs';
import { paths, startWatchdog } from '../lib/processes.mjs';

export const id = 'watchdog';
export const title = 'Watchdog: warm HTTP proxy and STDIO';

export async function run(ctx) {
  const result = { points: {}, goals: [], charts: [], figures: {} };

  // (a) HTTP proxy
  const http = await startWatchdog(ctx, {
    mode: 'HTTP',
    command: `${process.execPath} ${fixture('bare-echo.mjs')}`,
  });
  const [runtimePid] = childPids(http.pid);
  const connections = [4, 16, 64];
  ctx.log('watchdog HTTP proxy');
  const points = compareTargets({
    targets: [
      {
        name: 'runtime directly',
        reference: true,
        url: `${http.runtimeUrl}/invoke`,
        hops: [{ name: 'runtime', pid: runtimePid }],
      },
      {
        name: 'watchdog → runtime',
        url: `${http.url}/invoke`,
        hops: [
          { name: 'watchdog', pid: http.pid },
          { name: 'runtime', pid: runtimePid },
        ],
      },
    ],
    connections,
    timing: ctx.timing,
    log: ctx.log,
  });
  result.figures.httpPeakRssMb = rssMb(http.pid, 'VmHWM');
  await ctx.procs.stop(http.child);
  result.points.http = points;
  for (const point of points) {
    const ratio = roundRatio(point, 'watchdog → runtime', 'runtime directly');
    const ours = point.targets['watchdog → runtime'];
    result.goals.push({
      what: `watchdog warm HTTP proxy, ${point.connections} connections`,
      target: '≥ 75 % of the runtime called directly',
      measured: `${pct(ratio)}; watchdog CPU ${ours.cpuUsPerRequest.watchdog.median.toFixed(1)} µs/request, runtime ${ours.cpuUsPerRequest.runtime.median.toFixed(1)} µs`,
      met: ratio >= 0.75,
    });
  }
  result.charts.push({ title: 'Watchdog HTTP proxy', points });

  // (b) STDIO
  const stdio = await startWatchdog(ctx, { mode: 'STDIO', command: 'cat', maxInflight: 64 });
  const workers = 2 * ctx.machine.cores;
  const rounds = { reference: [], 4: [], 16: [] };
  ctx.log(`watchdog STDIO (reference: spawn-cat with ${workers} workers)`);
  runWrk(`${stdio.url}/invoke`, { connections: 16, seconds: ctx.timing.warmupSeconds });
  for (let round = 0; round < ctx.timing.rounds; round++) {
    const steps = [
      () => {
        const [rate, cpu] = execFileSync(ctx.spawnCat, [String(workers), String(ctx.timing.seconds)], {
          encoding: 'utf8',
        })
          .trim()
          .split(' ')
          .map(Number);
        rounds.reference.push({ rps: rate, cpuUs: cpu, p50Ms: Number.NaN, p99Ms: Number.NaN, non2xx: 0 });
        ctx.log(`  round ${round + 1} spawn-cat: ${rate}/s, ${cpu} µs CPU per invocation`);
      },
      ...[4, 16].map((c) => () => {
        const before = cpuMicros(stdio.pid, true);
        const r = runWrk(`${stdio.url}/invoke`, { connections: c, seconds: ctx.timing.seconds });
        r.cpuUs = (cpuMicros(stdio.pid, true) - before) / Math.max(1, r.requests);
        rounds[c].push(r);
        ctx.log(
          `  round ${round + 1} watchdog STDIO c=${c}: ${r.rps.toFixed(0)}/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ${r.cpuUs.toFixed(1)} µs CPU (with cat), non-2xx ${r.non2xx}`,
        );
      }),
    ];
    for (const step of round % 2 === 0 ? steps : steps.reverse()) step();
  }
  result.figures.stdioPeakRssMb = rssMb(stdio.pid, 'VmHWM');
  await ctx.procs.stop(stdio.child);
  const stdioPoints = [4, 16].map((c) => ({
    connections: c,
    targets: {
      [`C posix_spawn loop, ${workers} workers`]: summary(rounds.reference, true),
      'watchdog STDIO `cat`': summary(rounds[c], false),
    },
  }));
  result.points.stdio = stdioPoints;
  for (const point of stdioPoints) {
    const ours = rounds[point.connections];
    const ratio = spread(ours.map((r, i) => r.rps / rounds.reference[i].rps)).median;
    result.goals.push({
      what: `watchdog STDIO \`cat\`, one process per invocation, ${point.connections} connections`,
      target: '≥ 75 % of a bare C posix_spawn loop on both cores',
      measured: `${pct(ratio)} (${point.targets['watchdog STDIO `cat`'].rps.median.toFixed(0)}/s vs ${point.targets[`C posix_spawn loop, ${workers} workers`].rps.median.toFixed(0)}/s); CPU per invocation with \`cat\` ${spread(ours.map((r) => r.cpuUs)).median.toFixed(0)} µs vs ${spread(rounds.reference.map((r) => r.cpuUs)).median.toFixed(0)} µs`,
      met: ratio >= 0.75,
    });
  }
  result.charts.push({ title: 'Watchdog STDIO (`cat` per invocation)', points: stdioPoints });

  const size = statSync(paths.watchdog).size;
  let linkage;
  try {
    linkage = execFileSync('ldd', [paths.watchdog], { encoding: 'utf8', stdio: 'pipe' }).trim();
  } catch (error) {
    linkage = `${error.stdout}`.trim() || 'not a dynamic executable';
  }
  result.figures.binaryBytes = size;
  result.goals.push({
    what: 'watchdog binary',
    target: '≤ 3 MB, static',
    measured: `${(size / 1e6).toFixed(2)} MB, ldd: ${linkage}`,
    met: size <= 3e6 && /not a dynamic/.test(linkage),
  });
  result.goals.push({
    what: 'watchdog peak RSS at 64 connections (HTTP proxy)',
    target: '≤ 8 MB',
    measured: `${result.figures.httpPeakRssMb.toFixed(1)} MB (STDIO at 16: ${result.figures.stdioPeakRssMb.toFixed(1)} MB)`,
    met: result.figures.httpPeakRssMb <= 8,
  });
  return result;
}

function summary(list, reference) {
  return {
    reference,
    rps: spread(list.map((r) => r.rps)),
    p50Ms: spread(list.map((r) => r.p50Ms)),
    p99Ms: spread(list.map((r) => r.p99Ms)),
    cpuUsPerRequest: { 'process (with cat)': spread(list.map((r) => r.cpuUs)) },
    non2xx: list.reduce((sum, r) => sum + r.non2xx, 0),
    rounds: list.map((r) => r.rps),
  };
}

const pct = (x) => `${(x * 100).toFixed(0)} %`;
