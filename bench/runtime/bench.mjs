// Node runtime benchmark: echo handler through nanofaas-runtime vs a bare node:http echo server
// (throughput, p50/p99 with wrk on loopback), and cold start (spawn → first 200 on /health).
// Usage: bash bench/runtime/run.sh [--duration 4] [--rounds 12] [--connections 16] [--cold-runs 15]
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '12' },
    connections: { type: 'string', default: '16' },
    'cold-runs': { type: 'string', default: '15' },
  },
});
const duration = Number(values.duration);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const coldRuns = Number(values['cold-runs']);

const targets = {
  runtime: [here('../../packages/runtime/dist/cli.js'), here('./echo-handler.mjs')],
  bare: [here('./bare-echo.mjs')],
};

function start(argv, port = 0) {
  const child = spawn(process.execPath, argv, {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return child;
}

// LOG_LEVEL=warn hides the runtime's "listening" line; read the port from a short-lived info run instead.
async function startServer(name) {
  const child = spawn(process.execPath, targets[name], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stderr.on('data', (chunk) => {
      text += chunk;
      const line = text.split('\n').find((candidate) => candidate.includes('"listening"'));
      if (line) resolve({ child, url: JSON.parse(line).url });
    });
    child.on('exit', (code) => reject(new Error(`${name} exited ${code}: ${text}`)));
  });
}

function toMs(value, unit) {
  const factor = { us: 0.001, ms: 1, s: 1000 }[unit];
  return Number(value) * factor;
}

const CLOCK_TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** CPU time (user + system) a process has used so far, in microseconds. */
function cpuUs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S) * 1e6;
}

function wrk(url, seconds) {
  const output = execFileSync(
    'wrk',
    ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', here('./post.lua'), `${url}/invoke`],
    { encoding: 'utf8' },
  );
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]);
  const percentile = (p) => {
    const match = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(output);
    return match ? toMs(match[1], match[2]) : Number.NaN;
  };
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? '0';
  const requests = Number(/(\d+) requests in/.exec(output)?.[1]);
  return { rps, p50Ms: percentile(50), p99Ms: percentile(99), non2xx: Number(errors), requests };
}

/**
 * Both servers run side by side (an idle one costs nothing); each round measures one after the
 * other, alternating the order, and yields the ratio of the pair. Rounds are short and many so that
 * the two halves of a pair see the same background load; the headline is the median pair ratio.
 */
async function throughput() {
  const servers = { bare: await startServer('bare'), runtime: await startServer('runtime') };
  const results = { runtime: [], bare: [], ratios: [] };
  try {
    for (const name of ['bare', 'runtime']) wrk(servers[name].url, 2); // warm-up (JIT)
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? ['bare', 'runtime'] : ['runtime', 'bare'];
      const pair = {};
      for (const name of order) {
        const { child, url } = servers[name];
        const cpuBefore = cpuUs(child.pid);
        const measured = wrk(url, duration);
        // The server's own CPU time per request does not depend on what else the machine runs.
        pair[name] = {
          ...measured,
          serverCpuUsPerRequest: (cpuUs(child.pid) - cpuBefore) / measured.requests,
        };
        results[name].push(pair[name]);
      }
      results.ratios.push(pair.runtime.rps / pair.bare.rps);
      console.error(
        `round ${round + 1}: bare ${pair.bare.rps.toFixed(0)} req/s (${pair.bare.serverCpuUsPerRequest.toFixed(1)} µs CPU), ` +
          `runtime ${pair.runtime.rps.toFixed(0)} req/s (${pair.runtime.serverCpuUsPerRequest.toFixed(1)} µs CPU), ` +
          `ratio ${(results.ratios.at(-1) * 100).toFixed(1)} %`,
      );
    }
  } finally {
    for (const { child } of Object.values(servers)) child.kill('SIGTERM');
  }
  return results;
}

function median(numbers) {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
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

/** One GET /health with node:http (lighter than fetch while the new process competes for CPU). */
function healthOk(port) {
  return new Promise((resolve) => {
    const request = httpGet({ host: '127.0.0.1', port, path: '/health', agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
  });
}

/** Spawn → first 200 on /health, polling every 2 ms. */
async function coldStartOnce(name) {
  const port = await freePort();
  const started = performance.now();
  const child = start(targets[name], port);
  while (!(await healthOk(port))) await new Promise((resolve) => setTimeout(resolve, 2));
  const elapsed = performance.now() - started;
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('exit', resolve));
  return elapsed;
}

/** Alternates the two servers so that both see the same background load. */
async function coldStarts() {
  const times = { runtime: [], bare: [] };
  for (let run = 0; run < coldRuns; run++) {
    for (const name of run % 2 === 0 ? ['runtime', 'bare'] : ['bare', 'runtime']) {
      times[name].push(await coldStartOnce(name));
    }
  }
  const describe = (list) => ({ medianMs: median(list), minMs: Math.min(...list), maxMs: Math.max(...list) });
  return { runtime: describe(times.runtime), bare: describe(times.bare) };
}

const loads = await throughput();
const summary = (list) => ({
  rps: median(list.map((r) => r.rps)),
  p50Ms: median(list.map((r) => r.p50Ms)),
  p99Ms: median(list.map((r) => r.p99Ms)),
  serverCpuUsPerRequest: median(list.map((r) => r.serverCpuUsPerRequest)),
  non2xx: list.reduce((sum, r) => sum + r.non2xx, 0),
});
const runtime = summary(loads.runtime);
const bare = summary(loads.bare);
const cold = await coldStarts();

const result = {
  date: new Date().toISOString(),
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  command: `bash bench/runtime/run.sh --duration ${duration} --rounds ${rounds} --connections ${connections} --cold-runs ${coldRuns}`,
  load: `wrk -t1 -c${connections} -d${duration}s --latency per round, POST /invoke with a 77-byte InvocationRequest, loopback`,
  runtime,
  bare,
  ratio: median(loads.ratios),
  ratioRange: [Math.min(...loads.ratios), Math.max(...loads.ratios)],
  cpuRatio: bare.serverCpuUsPerRequest / runtime.serverCpuUsPerRequest,
  coldStart: cold,
  rounds: loads,
};
const file = here(`./results-${result.date.slice(0, 19).replaceAll(':', '')}.json`);
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);

const f = (n, digits = 2) => n.toFixed(digits);
const load = loadavg()
  .map((n) => n.toFixed(2))
  .join(' ');
const rows = loads.ratios.map(
  (ratio, i) =>
    `| ${i + 1} | ${f(loads.bare[i].rps, 0)} | ${f(loads.runtime[i].rps, 0)} | ${f(ratio * 100, 1)} % | ` +
    `${f(loads.bare[i].serverCpuUsPerRequest, 1)} µs | ${f(loads.runtime[i].serverCpuUsPerRequest, 1)} µs |`,
);
const report = `# Node runtime benchmark results

Recorded by \`${result.command}\` on ${result.date.slice(0, 16).replace('T', ' ')} UTC.
Machine: ${result.machine}; load average at the end ${load} (the machine is shared with other work).
Load: ${result.load}. Echo handler (\`echo-handler.mjs\`) through \`nanofaas-runtime\` vs a bare
\`node:http\` server that parses the InvocationRequest and serialises its input (\`bare-echo.mjs\`).

| medians of ${rounds} paired rounds | req/s | p50 | p99 | server CPU / request |
|---|---|---|---|---|
| bare node:http echo | ${f(bare.rps, 0)} | ${f(bare.p50Ms)} ms | ${f(bare.p99Ms)} ms | ${f(bare.serverCpuUsPerRequest, 1)} µs |
| nanofaas-runtime echo | ${f(runtime.rps, 0)} | ${f(runtime.p50Ms)} ms | ${f(runtime.p99Ms)} ms | ${f(runtime.serverCpuUsPerRequest, 1)} µs |
| **runtime / bare** | **${f(result.ratio * 100, 1)} %** (median of the pairs' ratios, range ${f(result.ratioRange[0] * 100, 0)}–${f(result.ratioRange[1] * 100, 0)} %) | | | **${f(result.cpuRatio * 100, 1)} %** (bare ÷ runtime) |

Cold start, process spawn → first 200 on \`/health\`, median of ${coldRuns} (min–max):
nanofaas-runtime ${f(cold.runtime.medianMs, 1)} ms (${f(cold.runtime.minMs, 1)}–${f(cold.runtime.maxMs, 1)}),
bare node:http ${f(cold.bare.medianMs, 1)} ms (${f(cold.bare.minMs, 1)}–${f(cold.bare.maxMs, 1)}).

Each round:

| round | bare req/s | runtime req/s | ratio | bare CPU / request | runtime CPU / request |
|---|---|---|---|---|---|
${rows.join('\n')}
`;
writeFileSync(here('./results.md'), report);
console.log(`${report}\nRaw figures: ${file}`);
