// Cold start of a Node function on the local backend with function isolation on (the default:
// bubblewrap namespaces, and a uid per function as root) against off (NANOFAAS_LOCAL_ISOLATION=none),
// both control planes started by this script and measured in interleaved rounds:
// register → first successful invoke, and the first response of a function scaled to zero.
// Usage: node bench/isolation/bench.mjs [--runs 20]   (after `npm run build`)

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ProcessSet, percentile } from '../lib/harness.mjs';

const { detectSandbox } = await import(
  '../../packages/control-plane/dist/backends/local/function-sandbox.js'
);

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const runs = Number(values.runs);
const procs = new ProcessSet();
const nodeFunction = `${process.execPath} ${here('../../packages/runtime/dist/cli.js')} ${here('../fixtures/echo-handler.mjs')}`;
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

async function startControlPlane(isolation, root) {
  const dataDir = mkdtempSync(join(root, `data-${isolation}-`));
  const started = await procs.start(process.execPath, [here('../../packages/control-plane/dist/main.js')], {
    env: {
      PORT: '0',
      NANOFAAS_BACKEND: 'local',
      NANOFAAS_EXAMPLES: 'false',
      NANOFAAS_AUTH: 'off',
      NANOFAAS_DATA_DIR: dataDir,
      NANOFAAS_LOG_LEVEL: 'warn',
      NANOFAAS_LOCAL_ISOLATION: isolation,
      NANOFAAS_LOCAL_AUTOSCALE_INTERVAL_MS: '50',
    },
    pattern: /listening on (http:\/\/\S+)/,
  });
  const base = started.match[1];
  await api(base, 'POST', '/v1/functions', {
    name: 'zero',
    runtimeCommand: nodeFunction,
    scaling: { minReplicas: 0, maxReplicas: 1, idleTimeoutMs: 100 },
  });
  return base;
}

async function registerToFirstSuccess(base, run) {
  const name = `cold-${run}`;
  const started = performance.now();
  await api(base, 'POST', '/v1/functions', { name, runtimeCommand: nodeFunction });
  const reply = await api(base, 'POST', `/v1/functions/${name}:invoke`, { input: run });
  const ms = performance.now() - started;
  if (reply.output !== run) throw new Error(`unexpected output ${JSON.stringify(reply)}`);
  await api(base, 'DELETE', `/v1/functions/${name}`);
  return ms;
}

async function scaleFromZero(base, run) {
  for (;;) {
    const { status } = await api(base, 'GET', '/v1/functions/zero');
    if (status.state === 'scaled-to-zero' && status.instances.length === 0) break;
    await sleep(50);
  }
  await sleep(200);
  const started = performance.now();
  const reply = await api(base, 'POST', '/v1/functions/zero:invoke', { input: run });
  const ms = performance.now() - started;
  if (reply.coldStart !== true) throw new Error(`expected a cold start: ${JSON.stringify(reply)}`);
  return ms;
}

/** The sandbox alone: spawn → exit of `/bin/true`, bare and wrapped the way a function is. */
function spawnCost(root) {
  const sandbox = detectSandbox('auto', { root: process.getuid() === 0 });
  const wrapped = sandbox.wrap('/bin/true', [], {
    identity: sandbox.separateUids
      ? { uid: 1_879_048_300, gid: 1_879_048_300 }
      : { uid: undefined, gid: undefined },
    cwd: root,
    paths: { needed: [root], scratchDir: root, hidden: [], masked: [] },
  });
  const time = (command, args) => {
    const started = performance.now();
    const result = spawnSync(command, args, { stdio: 'ignore' });
    if (result.status !== 0) throw new Error(`${command} exited ${result.status}`);
    return performance.now() - started;
  };
  const bare = [];
  const isolated = [];
  for (let run = 0; run < runs * 5; run++) {
    bare.push(time('/bin/true', []));
    isolated.push(time(wrapped.command, wrapped.args));
  }
  return { bare: percentile(bare, 50), isolated: percentile(isolated, 50), level: sandbox.level };
}

async function main() {
  const loadBefore = loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
  const root = mkdtempSync(join(tmpdir(), 'nanofaas-bench-isolation-'));
  chmodSync(root, 0o755);
  try {
    const bases = {
      none: await startControlPlane('none', root),
      auto: await startControlPlane('auto', root),
    };
    const level = (await api(bases.auto, 'GET', '/v1/functions/zero')).status.isolation;
    const samples = { none: { register: [], zero: [] }, auto: { register: [], zero: [] } };
    for (let run = 0; run < runs; run++) {
      // Interleaved, alternating which goes first.
      const order = run % 2 === 0 ? ['none', 'auto'] : ['auto', 'none'];
      for (const mode of order) samples[mode].register.push(await registerToFirstSuccess(bases[mode], run));
      for (const mode of order) samples[mode].zero.push(await scaleFromZero(bases[mode], run));
    }
    const row = (what, key) => {
      const off = percentile(samples.none[key], 50);
      const on = percentile(samples.auto[key], 50);
      const off95 = percentile(samples.none[key], 95);
      const on95 = percentile(samples.auto[key], 95);
      return `| ${what} | ${off.toFixed(1)} ms (p95 ${off95.toFixed(1)}) | ${on.toFixed(1)} ms (p95 ${on95.toFixed(1)}) | +${(on - off).toFixed(1)} ms (${((on / off) * 100).toFixed(0)} %) | ≤ +30 ms |`;
    };
    const spawn = spawnCost(root);
    const loadAfter = loadavg()
      .map((load) => load.toFixed(2))
      .join(' ');
    console.log(
      `Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${cpus().length} cores (${cpus()[0]?.model.trim()}) · uid ${process.getuid()} · isolation on = "${level}" · ${runs} interleaved runs · load average before: ${loadBefore}, after: ${loadAfter} · command: \`node bench/isolation/bench.mjs --runs ${runs}\``,
    );
    console.log('');
    console.log(
      '| cold start, Node function, p50 | isolation off (`none`) | isolation on | added | target |',
    );
    console.log('|---|---|---|---|---|');
    console.log(row('register → first success', 'register'));
    console.log(row('scale from zero → first response', 'zero'));
    console.log(
      `| spawn → exit of \`/bin/true\` (${runs * 5} runs) | ${spawn.bare.toFixed(2)} ms | ${spawn.isolated.toFixed(2)} ms (${spawn.level}) | +${(spawn.isolated - spawn.bare).toFixed(2)} ms | |`,
    );
  } finally {
    await procs.stopAll();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
