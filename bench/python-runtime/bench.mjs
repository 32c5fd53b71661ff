// Python runtime benchmark: an echo handler through nanofaas_runtime against a bare Flask app, both
// under Gunicorn with the same settings (python:nanofaas_runtime.gunicorn_conf), for each
// workers × threads configuration; req/s, p50/p99 (wrk, loopback), CPU per request of the whole
// process group, and cold start (spawn → first 200 on /health).
// Usage: bash bench/python-runtime/run.sh [--configs 2x4,1x8,2x8] [--duration 4] [--rounds 6] [--connections 16] [--cold-runs 10]
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadText, median, runWrk } from '../lib/harness.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const { values } = parseArgs({
  options: {
    'venv-bin': { type: 'string' },
    configs: { type: 'string', default: '2x4,1x8,2x8' },
    duration: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '6' },
    connections: { type: 'string', default: '16' },
    'cold-runs': { type: 'string', default: '10' },
  },
});
const bin = values['venv-bin'];
const duration = Number(values.duration);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const coldRuns = Number(values['cold-runs']);
const configs = values.configs.split(',').map((text) => {
  const [workers, threads] = text.split('x').map(Number);
  return { workers, threads };
});

const apps = { runtime: 'nanofaas_runtime.app:app', bare: 'bare_app:app' };
const CLOCK_TICKS_PER_S = 100;

function startServer(name, port, { workers, threads }) {
  return spawn(`${bin}/gunicorn`, ['-c', 'python:nanofaas_runtime.gunicorn_conf', apps[name]], {
    cwd: here('.'),
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      HANDLER_MODULE: 'echo_handler',
      WORKERS: String(workers),
      THREADS: String(threads),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
}

/** CPU time (user + system) of every process in the group, in microseconds. */
function groupCpuUs(pgid) {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ');
      if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone meanwhile
    }
  }
  return (ticks / CLOCK_TICKS_PER_S) * 1e6;
}

function freePort() {
  return new Promise((resolve) => {
    import('node:net').then(({ createServer }) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address();
        server.close(() => resolve(port));
      });
    });
  });
}

function healthOk(port) {
  return new Promise((resolve) => {
    const request = httpGet({ host: '127.0.0.1', port, path: '/health', agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
  });
}

async function waitHealthy(port) {
  while (!(await healthOk(port))) await new Promise((resolve) => setTimeout(resolve, 2));
}

function stop(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  return new Promise((resolve) => (child.exitCode !== null ? resolve() : child.on('exit', resolve)));
}

/** Paired rounds, alternating the order; the headline is the median of the pairs' ratios. */
async function throughput(config) {
  const servers = {};
  for (const name of ['bare', 'runtime']) {
    const port = await freePort();
    servers[name] = { child: startServer(name, port, config), url: `http://127.0.0.1:${port}` };
    await waitHealthy(port);
  }
  const results = { runtime: [], bare: [], ratios: [] };
  try {
    for (const name of ['bare', 'runtime'])
      runWrk(`${servers[name].url}/invoke`, { connections, seconds: 1 });
    for (let round = 0; round < rounds; round++) {
      const pair = {};
      for (const name of round % 2 === 0 ? ['bare', 'runtime'] : ['runtime', 'bare']) {
        const { child, url } = servers[name];
        const before = groupCpuUs(child.pid);
        const measured = runWrk(`${url}/invoke`, { connections, seconds: duration });
        pair[name] = { ...measured, cpuUsPerRequest: (groupCpuUs(child.pid) - before) / measured.requests };
        results[name].push(pair[name]);
      }
      results.ratios.push(pair.runtime.rps / pair.bare.rps);
      console.error(
        `${config.workers}x${config.threads} round ${round + 1}: bare ${pair.bare.rps.toFixed(0)} req/s, ` +
          `runtime ${pair.runtime.rps.toFixed(0)} req/s, ratio ${(results.ratios.at(-1) * 100).toFixed(1)} %`,
      );
    }
  } finally {
    for (const { child } of Object.values(servers)) await stop(child);
  }
  const summary = (list) => ({
    rps: median(list.map((r) => r.rps)),
    p50Ms: median(list.map((r) => r.p50Ms)),
    p99Ms: median(list.map((r) => r.p99Ms)),
    cpuUsPerRequest: median(list.map((r) => r.cpuUsPerRequest)),
    non2xx: list.reduce((sum, r) => sum + r.non2xx, 0),
  });
  return {
    ...config,
    runtime: summary(results.runtime),
    bare: summary(results.bare),
    ratio: median(results.ratios),
    ratioRange: [Math.min(...results.ratios), Math.max(...results.ratios)],
  };
}

/** Spawn → first 200 on /health, the two alternating, with the first configuration. */
async function coldStarts(config) {
  const times = { runtime: [], bare: [] };
  for (let run = 0; run < coldRuns; run++) {
    for (const name of run % 2 === 0 ? ['runtime', 'bare'] : ['bare', 'runtime']) {
      const port = await freePort();
      const started = performance.now();
      const child = startServer(name, port, config);
      await waitHealthy(port);
      times[name].push(performance.now() - started);
      await stop(child);
    }
  }
  const describe = (list) => ({ medianMs: median(list), minMs: Math.min(...list), maxMs: Math.max(...list) });
  return { runtime: describe(times.runtime), bare: describe(times.bare) };
}

const measured = [];
for (const config of configs) measured.push(await throughput(config));
const cold = await coldStarts(configs[0]);
const date = new Date().toISOString();
const command = `bash bench/python-runtime/run.sh --configs ${values.configs} --duration ${duration} --rounds ${rounds} --connections ${connections} --cold-runs ${coldRuns}`;
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB`;
writeFileSync(
  here(`./results-${date.slice(0, 19).replaceAll(':', '')}.json`),
  `${JSON.stringify({ date, command, machine, measured, cold }, null, 2)}\n`,
);

const f = (n, digits = 2) => n.toFixed(digits);
const rows = measured.flatMap((m) => [
  `| ${m.workers} × ${m.threads} | bare Flask echo | ${f(m.bare.rps, 0)} | ${f(m.bare.p50Ms)} ms | ${f(m.bare.p99Ms)} ms | ${f(m.bare.cpuUsPerRequest, 0)} µs | |`,
  `| ${m.workers} × ${m.threads} | nanofaas_runtime echo | ${f(m.runtime.rps, 0)} | ${f(m.runtime.p50Ms)} ms | ${f(m.runtime.p99Ms)} ms | ${f(m.runtime.cpuUsPerRequest, 0)} µs | **${f(m.ratio * 100, 1)} %** (pairs ${f(m.ratioRange[0] * 100, 0)}–${f(m.ratioRange[1] * 100, 0)} %); CPU ${f((m.bare.cpuUsPerRequest / m.runtime.cpuUsPerRequest) * 100, 1)} % of bare's efficiency |`,
]);
const report = `# Python runtime benchmark results

Recorded by \`${command}\` on ${date.slice(0, 16).replace('T', ' ')} UTC.
Machine: ${machine}; load average at the end ${loadText()} (the machine is shared with other work).
Load: wrk -t1 -c${connections} -d${duration}s --latency per round, POST /invoke with a 77-byte InvocationRequest, loopback.
Both servers: Gunicorn (gthread) with \`python:nanofaas_runtime.gunicorn_conf\`, the same workers × threads.

| workers × threads | server | req/s | p50 | p99 | CPU / request (all processes) | runtime / bare |
|---|---|---|---|---|---|---|
${rows.join('\n')}

Cold start (${configs[0].workers} × ${configs[0].threads}), spawn → first 200 on \`/health\`, median of ${coldRuns} (min–max):
nanofaas_runtime ${f(cold.runtime.medianMs, 0)} ms (${f(cold.runtime.minMs, 0)}–${f(cold.runtime.maxMs, 0)}),
bare Flask ${f(cold.bare.medianMs, 0)} ms (${f(cold.bare.minMs, 0)}–${f(cold.bare.maxMs, 0)}).
`;
writeFileSync(here('./results.md'), report);
console.log(report);
