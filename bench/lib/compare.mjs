// Interleaved throughput rounds: every target of a scenario is loaded by wrk in turn, the order
// reversed every round, so the reference and nanofaas see the same machine load; each figure is the
// median of the rounds with its min–max, and each hop's CPU time per request is read from /proc.
import { cpuMicros, groupCpuMicros, median, runWrk, spread } from './harness.mjs';

/**
 * @param {object} options
 * @param {{name: string, url: string, reference?: boolean, hops: {name: string, pid: number, group?: boolean}[]}[]} options.targets
 * @param {number[]} options.connections
 * @param {{rounds: number, seconds: number, warmupSeconds: number}} options.timing
 * @param {(line: string) => void} options.log
 * @returns one entry per connection count: { connections, targets: { [name]: summary } }
 */
export function compareTargets({ targets, connections, timing, log, script }) {
  for (const target of targets)
    runWrk(target.url, { connections: connections.at(-1), seconds: timing.warmupSeconds, script });
  const points = [];
  for (const c of connections) {
    const samples = Object.fromEntries(targets.map((t) => [t.name, []]));
    for (let round = 0; round < timing.rounds; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) {
        const before = target.hops.map((hop) => readCpu(hop));
        const result = runWrk(target.url, { connections: c, seconds: timing.seconds, script });
        const ok = Math.max(1, result.requests);
        result.cpuUsPerRequest = Object.fromEntries(
          target.hops.map((hop, i) => [hop.name, (readCpu(hop) - before[i]) / ok]),
        );
        samples[target.name].push(result);
        log(
          `  c=${c} round ${round + 1} ${target.name}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50Ms} ms, ` +
            `p99 ${result.p99Ms} ms, CPU/request ${Object.entries(result.cpuUsPerRequest)
              .map(([hop, us]) => `${hop} ${us.toFixed(1)} µs`)
              .join(
                ', ',
              )}${result.non2xx || result.socketErrors ? `, non-2xx ${result.non2xx}, socket errors ${result.socketErrors}` : ''}`,
        );
      }
    }
    points.push({ connections: c, targets: summarise(targets, samples) });
  }
  return points;
}

function readCpu(hop) {
  return hop.group ? groupCpuMicros(hop.pid) : cpuMicros(hop.pid, hop.withChildren);
}

function summarise(targets, samples) {
  const out = {};
  for (const target of targets) {
    const list = samples[target.name];
    out[target.name] = {
      reference: target.reference === true,
      rps: spread(list.map((r) => r.rps)),
      p50Ms: spread(list.map((r) => r.p50Ms)),
      p99Ms: spread(list.map((r) => r.p99Ms)),
      cpuUsPerRequest: Object.fromEntries(
        target.hops.map((hop) => [hop.name, spread(list.map((r) => r.cpuUsPerRequest[hop.name]))]),
      ),
      requests: list.reduce((sum, r) => sum + r.requests, 0),
      non2xx: list.reduce((sum, r) => sum + r.non2xx, 0),
      socketErrors: list.reduce((sum, r) => sum + r.socketErrors, 0),
      rounds: list.map((r) => r.rps),
    };
  }
  return out;
}

/** Median over rounds of the per-round throughput ratio a/b (rounds seconds apart are steadier than medians' ratio). */
export function roundRatio(point, a, b) {
  const x = point.targets[a].rounds;
  const y = point.targets[b].rounds;
  return median(x.map((value, i) => value / y[i]));
}

/** Sum of a target's hops' CPU per request (medians), in µs. */
export function totalCpuUs(summary) {
  return Object.values(summary.cpuUsPerRequest).reduce((sum, s) => sum + s.median, 0);
}
