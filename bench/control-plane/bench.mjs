// Control plane benchmark: sync invoke of a warm Node runtime through the control plane (POOL
// backend) vs (a) the runtime called directly and (b) a minimal keep-alive Node reverse proxy, all
// with wrk at the same connection count in the same run; durable enqueue rate; idle RSS.
// Usage: bash bench/control-plane/run.sh [--duration 10] [--rounds 3] [--connections 16] [--record]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuMicros, loadText, median, runWrk, spawnUntil } from '../lib/harness.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    record: { type: 'boolean', default: false },
  },
});
const duration = Number(values.duration);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const children = [];

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

async function api(base, method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function main() {
  const loadBefore = loadText();
  const dataDir = mkdtempSync(join(tmpdir(), 'nanofaas-bench-'));
  try {
    const runtime = await spawnUntil(
      children,
      [here('../../packages/runtime/dist/cli.js'), here('./echo-handler.mjs')],
      { PORT: '0', HOST: '127.0.0.1' },
      /"listening".*?"url":"(http:[^"]+)"/,
    );
    const runtimeUrl = `${runtime.match[1]}/invoke`;
    const proxy = await spawnUntil(
      children,
      [here('./minimal-proxy.mjs')],
      { TARGET_URL: runtimeUrl },
      /listening (\d+)/,
    );
    const proxyUrl = `http://127.0.0.1:${proxy.match[1]}/invoke`;
    const controlPlane = await spawnUntil(
      children,
      [here('../../packages/control-plane/dist/main.js')],
      {
        PORT: '0',
        NANOFAAS_BACKEND: 'pool',
        NANOFAAS_DATA_DIR: dataDir,
        NANOFAAS_LOG_LEVEL: 'warn',
        NANOFAAS_AUTH: 'off',
      },
      /listening on (http:\/\/\S+)/,
    );
    const base = controlPlane.match[1];
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idleRssMb = rssMb(controlPlane.child.pid);
    const spec = {
      endpointUrl: runtimeUrl,
      concurrency: 256,
      queueSize: 100_000,
      scaling: { minReplicas: 1, maxReplicas: 1 },
    };
    await api(base, 'POST', '/v1/functions', { name: 'echo', ...spec });
    await api(base, 'POST', '/v1/functions', { name: 'sink', ...spec, maxRetries: 0 });

    const targets = {
      direct: runtimeUrl,
      proxy: proxyUrl,
      'control plane': `${base}/v1/functions/echo:invoke`,
    };
    // The process whose CPU per request is the cost of the hop (direct: the runtime itself).
    const hopPid = {
      direct: runtime.child.pid,
      proxy: proxy.child.pid,
      'control plane': controlPlane.child.pid,
    };
    for (const url of Object.values(targets)) runWrk(url, { connections, seconds: 3 }); // warm-up (JIT, connections)
    const samples = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      const names = Object.keys(targets);
      const order = round % 2 === 0 ? names : [...names].reverse();
      for (const name of order) {
        const before = cpuMicros(hopPid[name]);
        const result = runWrk(targets[name], { connections, seconds: duration });
        result.cpuUsPerRequest = (cpuMicros(hopPid[name]) - before) / result.requests;
        samples[name].push(result);
        console.error(
          `round ${round + 1} ${name}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ` +
            `${result.cpuUsPerRequest.toFixed(1)} µs CPU/request, non-2xx ${result.non2xx}`,
        );
      }
    }
    const summary = Object.fromEntries(
      Object.entries(samples).map(([name, list]) => [
        name,
        {
          rps: median(list.map((r) => r.rps)),
          p50Ms: median(list.map((r) => r.p50Ms)),
          p99Ms: median(list.map((r) => r.p99Ms)),
          cpuUsPerRequest: median(list.map((r) => r.cpuUsPerRequest)),
          non2xx: list.reduce((sum, r) => sum + r.non2xx, 0),
        },
      ]),
    );
    const loadedRssMb = rssMb(controlPlane.child.pid);

    const enqueue = runWrk(`${base}/v1/functions/sink:enqueue`, { connections, seconds: duration });
    const accepted = enqueue.requests - enqueue.non2xx;
    const enqueueRate = accepted / duration;
    console.error(
      `enqueue: ${enqueueRate.toFixed(0)} accepted/s (p50 ${enqueue.p50Ms} ms, p99 ${enqueue.p99Ms} ms, non-2xx ${enqueue.non2xx})`,
    );

    const cp = summary['control plane'];
    // Ratios within a round (runs seconds apart) are steadier than the ratio of medians.
    const roundRatios = samples['control plane'].map((r, i) => r.rps / samples.proxy[i].rps);
    const result = {
      date: new Date().toISOString(),
      machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
      command: `bash bench/control-plane/run.sh --duration ${duration} --rounds ${rounds} --connections ${connections}`,
      connections,
      summary,
      ratioToProxy: median(roundRatios),
      roundRatios,
      ratioToDirect: cp.rps / summary.direct.rps,
      p50AddedMs: cp.p50Ms - summary.direct.p50Ms,
      p99AddedMs: cp.p99Ms - summary.direct.p99Ms,
      enqueue: {
        acceptedPerSecond: enqueueRate,
        p50Ms: enqueue.p50Ms,
        p99Ms: enqueue.p99Ms,
        non2xx: enqueue.non2xx,
      },
      idleRssMb,
      loadedRssMb,
      loadBefore,
      loadAfter: loadText(),
    };
    const stamp = result.date.replace(/[:-]/g, '').slice(0, 15);
    writeFileSync(here(`./results-${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
    const report = renderReport(result);
    console.log(report);
    if (values.record) recordInReadme(report);
  } finally {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function renderReport(r) {
  const row = (name, s) =>
    `| ${name} | ${s.rps.toFixed(0)} | ${s.p50Ms.toFixed(2)} | ${s.p99Ms.toFixed(2)} | ${s.cpuUsPerRequest.toFixed(1)} |`;
  const check = (ok) => (ok ? 'met' : '**missed**');
  return [
    `Run ${r.date} on ${r.machine}; \`${r.command}\`; wrk, ${r.connections} connections, medians of the rounds; load average before ${r.loadBefore}, after ${r.loadAfter}.`,
    '',
    '| target | req/s | p50 ms | p99 ms | CPU µs per request in the hop |',
    '|---|---|---|---|---|',
    row('runtime directly', r.summary.direct),
    row('minimal Node proxy → runtime', r.summary.proxy),
    row('control plane (POOL) → runtime', r.summary['control plane']),
    '',
    '| goal | target | measured | |',
    '|---|---|---|---|',
    `| throughput vs minimal proxy | ≥ 75 % | ${(r.ratioToProxy * 100).toFixed(0)} % (median of rounds: ${r.roundRatios.map((x) => `${(x * 100).toFixed(0)} %`).join(', ')}; ${(r.ratioToDirect * 100).toFixed(0)} % of direct) | ${check(r.ratioToProxy >= 0.75)} |`,
    `| p50 added over direct | ≤ 1 ms | ${r.p50AddedMs.toFixed(2)} ms | ${check(r.p50AddedMs <= 1)} |`,
    `| p99 added over direct | ≤ 5 ms | ${r.p99AddedMs.toFixed(2)} ms | ${check(r.p99AddedMs <= 5)} |`,
    `| durable enqueue (202 after commit) | ≥ 3,000/s | ${r.enqueue.acceptedPerSecond.toFixed(0)}/s (p99 ${r.enqueue.p99Ms.toFixed(2)} ms) | ${check(r.enqueue.acceptedPerSecond >= 3000)} |`,
    `| idle RSS | ≤ 80 MB | ${r.idleRssMb.toFixed(1)} MB (${r.loadedRssMb.toFixed(1)} MB after load) | ${check(r.idleRssMb <= 80)} |`,
  ].join('\n');
}

function recordInReadme(report) {
  const readme = here('../README.md');
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- control-plane-results:start -->';
  const end = '<!-- control-plane-results:end -->';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < 0) throw new Error(`bench/README.md lacks the ${start} … ${end} markers`);
  writeFileSync(readme, `${text.slice(0, from + start.length)}\n${report}\n${text.slice(to)}`);
}

main().catch((error) => {
  for (const child of children) child.kill('SIGKILL');
  console.error(error);
  process.exit(1);
});
