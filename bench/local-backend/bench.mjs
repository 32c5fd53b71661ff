// Local backend benchmark: (1) cold start of a Node function — register → first successful
// invoke, and the first response of a function scaled to zero — p50/p95 over --runs runs; (2) sync
// invoke throughput through control plane → warm watchdog → Node runtime vs the same runtime called
// directly (and vs the replica's watchdog called directly, to show where the time goes), wrk with
// --connections connections, alternating order per round, medians.
// Usage: bash bench/local-backend/run.sh [--runs 25] [--duration 10] [--rounds 3] [--connections 16] [--record]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, percentile, runWrk, spawnUntil } from '../lib/harness.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '25' },
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    record: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const duration = Number(values.duration);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const children = [];
const runtimeCli = here('../../packages/runtime/dist/cli.js');
const handler = here('./echo-handler.mjs');
const nodeFunction = `${process.execPath} ${runtimeCli} ${handler}`;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function api(base, method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

/** register → first 200 of :invoke (the invoke waits for the first replica), then delete. */
async function measureRegisterToFirstSuccess(base) {
  const samples = [];
  for (let run = 0; run < runs; run++) {
    const name = `cold-${run}`;
    const started = performance.now();
    await api(base, 'POST', '/v1/functions', { name, runtimeCommand: nodeFunction });
    const reply = await api(base, 'POST', `/v1/functions/${name}:invoke`, { input: run });
    samples.push(performance.now() - started);
    if (reply.output !== run) throw new Error(`unexpected output ${JSON.stringify(reply)}`);
    await api(base, 'DELETE', `/v1/functions/${name}`);
  }
  return samples;
}

/** The first response of a function scaled to zero (minReplicas 0, idle 100 ms). */
async function measureScaleFromZero(base) {
  await api(base, 'POST', '/v1/functions', {
    name: 'zero',
    runtimeCommand: nodeFunction,
    scaling: { minReplicas: 0, maxReplicas: 1, idleTimeoutMs: 100 },
  });
  const samples = [];
  for (let run = 0; run < runs; run++) {
    for (;;) {
      const { status } = await api(base, 'GET', '/v1/functions/zero');
      if (status.state === 'scaled-to-zero' && status.instances.length === 0) break;
      await sleep(50);
    }
    await sleep(200); // let the stopped replica's processes finish exiting
    const started = performance.now();
    const reply = await api(base, 'POST', '/v1/functions/zero:invoke', { input: run });
    samples.push(performance.now() - started);
    if (reply.coldStart !== true) throw new Error(`expected a cold start: ${JSON.stringify(reply)}`);
  }
  await api(base, 'DELETE', '/v1/functions/zero');
  return samples;
}

function summarise(samples) {
  return {
    runs: samples.length,
    p50Ms: percentile(samples, 50),
    p95Ms: percentile(samples, 95),
    maxMs: Math.max(...samples),
  };
}

async function main() {
  const loadBefore = loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
  const dataDir = mkdtempSync(join(tmpdir(), 'nanofaas-bench-local-'));
  try {
    const controlPlane = await spawnUntil(
      children,
      [here('../../packages/control-plane/dist/main.js')],
      {
        PORT: '0',
        NANOFAAS_BACKEND: 'local',
        NANOFAAS_EXAMPLES: 'false',
        NANOFAAS_DATA_DIR: dataDir,
        NANOFAAS_LOG_LEVEL: 'warn',
        NANOFAAS_AUTH: 'off',
        NANOFAAS_LOCAL_AUTOSCALE_INTERVAL_MS: '50',
      },
      /listening on (http:\/\/\S+)/,
    );
    const base = controlPlane.match[1];

    const registerToFirst = summarise(await measureRegisterToFirstSuccess(base));
    console.error(
      `register → first success: p50 ${registerToFirst.p50Ms.toFixed(0)} ms, p95 ${registerToFirst.p95Ms.toFixed(0)} ms`,
    );
    const fromZero = summarise(await measureScaleFromZero(base));
    console.error(
      `scale from zero: p50 ${fromZero.p50Ms.toFixed(0)} ms, p95 ${fromZero.p95Ms.toFixed(0)} ms`,
    );

    const runtime = await spawnUntil(
      children,
      [runtimeCli, handler],
      { PORT: '0', HOST: '127.0.0.1' },
      /"listening".*?"url":"(http:[^"]+)"/,
    );
    // One warm replica (as many runtime processes as the direct row), room for every connection.
    await api(base, 'POST', '/v1/functions', {
      name: 'echo',
      runtimeCommand: nodeFunction,
      concurrency: 256,
      queueSize: 100_000,
      scaling: { minReplicas: 1, maxReplicas: 1 },
    });
    await api(base, 'POST', '/v1/functions/echo:invoke', { input: 'warm' });
    const [replica] = (await api(base, 'GET', '/v1/functions/echo')).status.instances;
    const targets = {
      direct: `${runtime.match[1]}/invoke`,
      watchdog: `http://127.0.0.1:${replica.port}/invoke`,
      'control plane': `${base}/v1/functions/echo:invoke`,
    };
    for (const url of Object.values(targets)) runWrk(url, { connections, seconds: 3 }); // warm-up (JIT, connections)
    const samples = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      const names = Object.keys(targets);
      for (const name of round % 2 === 0 ? names : [...names].reverse()) {
        const result = runWrk(targets[name], { connections, seconds: duration });
        samples[name].push(result);
        console.error(
          `round ${round + 1} ${name}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, non-2xx ${result.non2xx}`,
        );
      }
    }
    const throughput = Object.fromEntries(
      Object.entries(samples).map(([name, list]) => [
        name,
        {
          rps: median(list.map((r) => r.rps)),
          bestRps: Math.max(...list.map((r) => r.rps)),
          p50Ms: median(list.map((r) => r.p50Ms)),
          p99Ms: median(list.map((r) => r.p99Ms)),
          non2xx: list.reduce((sum, r) => sum + r.non2xx, 0),
        },
      ]),
    );

    const result = {
      date: new Date().toISOString(),
      machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
      loadBefore,
      command: `bash bench/local-backend/run.sh --runs ${runs} --duration ${duration} --rounds ${rounds} --connections ${connections}`,
      registerToFirstSuccess: registerToFirst,
      scaleFromZero: fromZero,
      connections,
      rounds,
      duration,
      throughput,
      ratioToDirect: throughput['control plane'].rps / throughput.direct.rps,
      bestRatioToDirect: throughput['control plane'].bestRps / throughput.direct.bestRps,
    };
    const stamp = result.date.replace(/[:-]/g, '').slice(0, 15);
    writeFileSync(here(`./results-${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
    const report = renderReport(result);
    console.log(report);
    if (values.record) recordInReadme(report);
  } finally {
    await stopChildren();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * SIGTERM, then wait: the control plane stops its watchdogs on the way out (a SIGKILL too early
 * would leave them running until the next control plane reaps them).
 */
async function stopChildren() {
  const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
  const exits = running.map((child) => new Promise((resolve) => child.once('exit', resolve)));
  for (const child of running) child.kill('SIGTERM');
  await Promise.race([Promise.all(exits), sleep(30_000)]);
  for (const child of running)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

function renderReport(r) {
  const check = (ok) => (ok ? 'met' : '**missed**');
  const row = (name, s) =>
    `| ${name} | ${s.rps.toFixed(0)} | ${s.bestRps.toFixed(0)} | ${s.p50Ms.toFixed(2)} | ${s.p99Ms.toFixed(2)} |`;
  const cold = (name, s, target) =>
    `| ${name} | ≤ ${target} ms | p50 ${s.p50Ms.toFixed(0)} ms, p95 ${s.p95Ms.toFixed(0)} ms (max ${s.maxMs.toFixed(0)} ms, ${s.runs} runs) | ${check(s.p50Ms <= target)} |`;
  return [
    `Run ${r.date} on ${r.machine} (load average before: ${r.loadBefore}); \`${r.command}\`.`,
    '',
    '| goal | target | measured | |',
    '|---|---|---|---|',
    cold('cold start, Node function: register → first success', r.registerToFirstSuccess, 300),
    cold('cold start, Node function: scale from zero → first response', r.scaleFromZero, 250),
    `| sync invoke throughput, control plane → watchdog → runtime vs runtime directly | (ratio reported) | ${(r.ratioToDirect * 100).toFixed(0)} % of direct (medians; best rounds: ${(r.bestRatioToDirect * 100).toFixed(0)} %) | |`,
    '',
    `wrk, ${r.connections} connections, ${r.rounds} rounds of ${r.duration} s per target; one warm replica (one runtime process, as in the direct row):`,
    '',
    '| target | req/s (median) | req/s (best round) | p50 ms | p99 ms |',
    '|---|---|---|---|---|',
    row('Node runtime directly', r.throughput.direct),
    row("the function's warm replica directly (watchdog → runtime)", r.throughput.watchdog),
    row('control plane (local backend) → watchdog → runtime', r.throughput['control plane']),
  ].join('\n');
}

function recordInReadme(report) {
  const readme = here('../README.md');
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- local-backend-results:start -->';
  const end = '<!-- local-backend-results:end -->';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < 0) throw new Error(`bench/README.md lacks the ${start} … ${end} markers`);
  writeFileSync(readme, `${text.slice(0, from + start.length)}\n${report}\n${text.slice(to)}`);
}

main().catch(async (error) => {
  for (const child of children) child.kill('SIGKILL');
  console.error(error);
  process.exit(1);
});
