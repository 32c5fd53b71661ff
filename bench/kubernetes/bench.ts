// Kubernetes backend figures on the k8s test bed (bench/README.md, "Kubernetes backend"):
// register → first success (pods from zero), scale from zero → first response, REMOTE Job invoke
// latency, and warm sync throughput through the control plane to 1 and 3 pods against one pod
// called directly (wrk), with the CPU time per request of each hop read from /proc.
//
// The control plane runs as its own process from a built checkout (packages/control-plane/dist), as
// in production. BENCH_BASELINE=<another checkout, built> also runs that checkout's control plane
// over the same cluster, data directory and pods, its wrk rounds interleaved with this one's: a
// before/after comparison in one run. BENCH_CPU_PROF=<dir> starts the control planes with
// `node --cpu-prof` (profiles written there when they stop). BENCH_WARM_ONLY=1 skips the start-up
// figures. Run: bash bench/kubernetes/run.sh
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startTestbed } from '../../test/k8s-testbed/src/index.js';
// @ts-expect-error plain ESM helper without types
import { invokeRequestScript, loadText, median, percentile } from '../lib/harness.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const watchdog = join(repo, 'watchdog/dist/watchdog');
const echo = join(repo, 'packages/control-plane/test/fixtures/echo-server.mjs');
const namespace = 'bench';
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const wrkRounds = Number(process.env.BENCH_WRK_ROUNDS ?? 3);
const baselineDir = process.env.BENCH_BASELINE ? resolve(process.env.BENCH_BASELINE) : undefined;
const cpuProfDir = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
const warmOnly = process.env.BENCH_WARM_ONLY === '1';
const loadBefore = loadText();

interface ControlPlane {
  readonly label: string;
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

const bed = await startTestbed({ onProgress: () => undefined, imageEntrypoints: { '*': [watchdog] } });
const dataDir = mkdtempSync(join(tmpdir(), 'nanofaas-bench-k8s-'));
const children: ChildProcess[] = [];
const rows: string[] = [];
const notes: string[] = [];

/** Starts the control plane of `checkout` (built) as its own process over the shared data dir. */
async function startControlPlane(label: string, checkout: string): Promise<ControlPlane> {
  const args = [join(checkout, 'packages/control-plane/dist/main.js')];
  if (cpuProfDir !== undefined) {
    mkdirSync(join(cpuProfDir, label), { recursive: true });
    args.unshift('--cpu-prof', `--cpu-prof-dir=${join(cpuProfDir, label)}`);
  }
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      NANOFAAS_BACKEND: 'kubernetes',
      KUBECONFIG: bed.kubeconfigPath,
      NANOFAAS_K8S_NAMESPACE: namespace,
      HOST: bed.network.hostIP,
      PORT: '0',
      NANOFAAS_AUTH: 'off',
      NANOFAAS_DATA_DIR: dataDir,
      NANOFAAS_LOG_LEVEL: 'error',
      NANOFAAS_K8S_AUTOSCALE_INTERVAL_MS: '200',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const url = await new Promise<string>((resolveUrl, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match) resolveUrl(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`control plane ${label} exited ${code}: ${text}`)));
  });
  return {
    label,
    url,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A warm watchdog + echo server on loopback, outside any pod: the reference without the bridge. */
async function startLoopbackReplica(): Promise<{ url: string; pgid: number }> {
  const child = spawn(watchdog, [], {
    env: {
      PATH: process.env.PATH,
      FUNCTION_NAME: 'loopback',
      WARM: 'true',
      EXECUTION_MODE: 'HTTP',
      WATCHDOG_CMD: `${process.execPath} ${echo}`,
      TIMEOUT_MS: '30000',
      HOST: '127.0.0.1',
      PORT: '0',
      RUNTIME_PORT: String(20_000 + Math.floor(Math.random() * 20_000)),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.push(child);
  const port = await new Promise<string>((resolvePort, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const match = /"msg":"listening"[^\n]*"port":(\d+)/.exec(text);
      if (match) resolvePort(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`loopback watchdog exited ${code}: ${text}`)));
  });
  const url = `http://127.0.0.1:${port}/invoke`;
  for (;;) {
    const health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
    if (health?.ok) break;
    await new Promise((done) => setTimeout(done, 50));
  }
  return { url, pgid: child.pid! };
}

try {
  await bed.createNamespace(namespace);
  const candidate = await startControlPlane('this-checkout', repo);
  let current: ControlPlane = candidate;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${current.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  };
  const untilOk = async (path: string) => {
    for (;;) {
      const reply = await call('POST', path, { input: 'x' });
      if (reply.status === 200) return;
      await new Promise((done) => setTimeout(done, 20));
    }
  };
  const warmSpec = (name: string, extra: object = {}) => ({
    name,
    image: 'nanofaas/watchdog:latest',
    runtimeMode: 'HTTP',
    runtimeCommand: `${process.execPath} ${echo}`,
    concurrency: 64,
    ...extra,
  });
  const kube = new KubeConfig();
  kube.loadFromFile(bed.kubeconfigPath);
  const pods = kube.makeApiClient(CoreV1Api);

  if (!warmOnly) {
    const registerMs: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const started = performance.now();
      const reply = await call('POST', '/v1/functions', warmSpec(`reg-${i}`));
      if (reply.status !== 201) throw new Error(reply.text);
      await untilOk(`/v1/functions/reg-${i}:invoke`);
      registerMs.push(performance.now() - started);
      await call('DELETE', `/v1/functions/reg-${i}`);
    }
    rows.push(`| register → first success (Deployment, pod from nothing) | ${fmt(registerMs)} |`);

    await call(
      'POST',
      '/v1/functions',
      warmSpec('cold', { scaling: { minReplicas: 0, maxReplicas: 1, idleTimeoutMs: 1000 } }),
    );
    const coldMs: number[] = [];
    for (let i = 0; i < rounds; i++) {
      // Idle for idleTimeoutMs: the autoscaler takes it to zero.
      while ((await pods.listNamespacedPod({ namespace, labelSelector: 'function=cold' })).items.length > 0) {
        await new Promise((done) => setTimeout(done, 100));
      }
      const started = performance.now();
      const reply = await call('POST', '/v1/functions/cold:invoke', { input: 'wake' });
      if (reply.status !== 200) throw new Error(reply.text);
      coldMs.push(performance.now() - started);
    }
    rows.push(`| scale from zero → first response (activation) | ${fmt(coldMs)} |`);
    await call('DELETE', '/v1/functions/cold');

    await call('POST', '/v1/functions', {
      name: 'job',
      image: 'nanofaas/watchdog:latest',
      executionMode: 'REMOTE',
      runtimeMode: 'STDIO',
      runtimeCommand: 'cat',
    });
    const jobMs: number[] = [];
    for (let i = 0; i < rounds * 2; i++) {
      const started = performance.now();
      const reply = await call('POST', '/v1/functions/job:invoke', { input: i });
      if (reply.status !== 200) throw new Error(reply.text);
      jobMs.push(performance.now() - started);
    }
    rows.push(
      `| REMOTE invoke (Job + Secret created, pod runs, callback) | p50 ${median(jobMs).toFixed(0)} ms, p95 ${percentile(jobMs, 95).toFixed(0)} ms (${jobMs.length} runs) |`,
    );
    await call('DELETE', '/v1/functions/job');
  }

  await call('POST', '/v1/functions', warmSpec('warm', { scaling: { minReplicas: 1, maxReplicas: 3 } }));
  await call('PUT', '/v1/functions/warm/replicas', { replicas: 1 });
  await untilOk('/v1/functions/warm:invoke');
  const podsOf = async () =>
    (await pods.listNamespacedPod({ namespace, labelSelector: 'function=warm' })).items.filter(
      (pod) => pod.metadata?.deletionTimestamp === undefined,
    );
  const [pod] = await podsOf();
  const direct = `http://${pod?.status?.podIP}:8080/invoke`;
  const loopback = await startLoopbackReplica();
  const [, apiServer, , agent] = bed.processIds();
  const podGroups = async () =>
    (await podsOf()).map((p) =>
      Number(readFileSync(bed.podPidPath(namespace, p.metadata!.name!, 'function'), 'utf8')),
    );
  const scaleTo = async (replicas: number) => {
    await call('PUT', '/v1/functions/warm/replicas', { replicas });
    for (;;) {
      const status = JSON.parse((await call('GET', '/v1/functions/warm')).text).status;
      if (status?.readyReplicas === replicas && (await podsOf()).length === replicas) break;
      await new Promise((done) => setTimeout(done, 100));
    }
  };

  const controlPlanes: ControlPlane[] = [candidate];
  /** Switches to the other checkout's control plane (the previous one stops; the pods stay). */
  const switchTo = async (label: string) => {
    if (current.label === label) return;
    await current.stop();
    current = await startControlPlane(label, label === 'baseline' ? baselineDir! : repo);
    controlPlanes.push(current);
    await untilOk('/v1/functions/warm:invoke');
  };
  const labels = baselineDir === undefined ? ['this-checkout'] : ['baseline', 'this-checkout'];

  for (const connections of [16, 64]) {
    const best = new Map<string, Measure>();
    const keep = (key: string, measure: Measure) => {
      const known = best.get(key);
      if (known === undefined || measure.rps > known.rps) best.set(key, measure);
    };
    for (let round = 0; round < wrkRounds; round++) {
      keep('loopback', await measure(loopback.url, connections, { replica: [loopback.pgid] }));
      await scaleTo(1);
      keep('direct', await measure(direct, connections, { pod: await podGroups() }));
      for (const label of labels) {
        await switchTo(label);
        await scaleTo(1);
        const groups = await podGroups();
        keep(
          `${label}:1`,
          await measure(`${current.url}/v1/functions/warm:invoke`, connections, {
            controlPlane: [current.pid],
            pod: groups,
            apiServer: [apiServer!],
            agent: [agent!],
          }),
        );
        await scaleTo(3);
        keep(`${label}:3`, await measure(`${current.url}/v1/functions/warm:invoke`, connections, {}));
      }
      // The order alternates from round to round, so neither checkout always runs first.
      labels.reverse();
    }
    const directRps = best.get('direct')!.rps;
    rows.push(
      `| warm sync, ${connections} connections, references | one pod directly (bridge) ${row(best.get('direct')!, directRps)} · the same watchdog + echo on loopback, no pod ${row(best.get('loopback')!, directRps)} |`,
    );
    for (const label of [...labels].sort()) {
      rows.push(
        `| warm sync, ${connections} connections, control plane of ${label === 'baseline' ? `the baseline (${baselineDir})` : 'this checkout'} | to 1 pod ${row(best.get(`${label}:1`)!, directRps)} · to 3 pods ${row(best.get(`${label}:3`)!, directRps)} |`,
      );
    }
  }
  for (const controlPlane of controlPlanes) await controlPlane.stop();
  if (cpuProfDir !== undefined) {
    for (const label of labels)
      notes.push(
        `CPU profiles of ${label}: ${readdirSync(join(cpuProfDir, label))
          .map((f) => join(cpuProfDir, label, f))
          .join(', ')}`,
      );
  }
} finally {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }
  }
  await bed.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(
  `Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine} · command: \`bash bench/kubernetes/run.sh\`${baselineDir ? ` with BENCH_BASELINE=${baselineDir}` : ''} (${rounds} rounds; wrk -t1, best of ${wrkRounds} interleaved ${seconds}s runs; load average before: ${loadBefore}, after: ${loadText()})\n`,
);
console.log('| what | figure |\n|---|---|');
for (const row of rows) console.log(row);
for (const note of notes) console.log(`\n${note}`);

function fmt(list: number[]): string {
  return `p50 ${median(list).toFixed(0)} ms (min ${Math.min(...list).toFixed(0)}, max ${Math.max(...list).toFixed(0)}, ${list.length} runs)`;
}

interface Measure {
  rps: number;
  p50Ms: number;
  /** CPU µs per request of each measured hop (name → µs). */
  cpu: Record<string, number>;
}

function row(measure: Measure, directRps: number): string {
  const cpu = Object.entries(measure.cpu)
    .map(([hop, us]) => `${hop} ${us.toFixed(0)}`)
    .join(', ');
  return `${measure.rps.toFixed(0)} req/s (${((measure.rps / directRps) * 100).toFixed(0)} %, p50 ${measure.p50Ms.toFixed(2)} ms${cpu ? `; CPU µs/request: ${cpu}` : ''})`;
}

/** wrk against `url` with the CPU time of each group of processes per request. */
async function measure(url: string, connections: number, hops: Record<string, number[]>): Promise<Measure> {
  const before = Object.fromEntries(Object.entries(hops).map(([hop, ids]) => [hop, cpuOf(ids)]));
  const result = await wrk(url, connections);
  const cpu: Record<string, number> = {};
  for (const [hop, ids] of Object.entries(hops)) {
    cpu[hop] = (cpuOf(ids) - before[hop]!) / Math.max(1, result.requests);
  }
  return { rps: result.rps, p50Ms: result.p50Ms, cpu };
}

/**
 * CPU time (µs) of the processes whose process group is one of `groups` (a pod's container and
 * its children, a watchdog and its runtime), or of the process itself when it leads no group.
 */
function cpuOf(groups: number[]): number {
  const wanted = new Set(groups);
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const pid = Number(entry);
      const pgrp = Number(fields[2]);
      if (wanted.has(pgrp) || wanted.has(pid)) total += (Number(fields[11]) + Number(fields[12])) * 10_000;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

/** wrk without blocking this process's event loop. */
function wrk(url: string, connections: number): Promise<{ rps: number; p50Ms: number; requests: number }> {
  return new Promise((resolveRun, reject) => {
    execFile(
      'wrk',
      ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', invokeRequestScript, url],
      { encoding: 'utf8' },
      (error, stdout) => {
        if (error) reject(error);
        else if (/Non-2xx/.test(stdout)) reject(new Error(`non-2xx answers from ${url}:\n${stdout}`));
        else {
          const p50 = /^\s+50%\s+([\d.]+)(us|ms|s)/m.exec(stdout);
          const unit = { us: 0.001, ms: 1, s: 1000 }[p50?.[2] as 'us' | 'ms' | 's'] ?? Number.NaN;
          resolveRun({
            rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]),
            p50Ms: Number(p50?.[1]) * unit,
            requests: Number(/(\d+) requests in/.exec(stdout)?.[1]),
          });
        }
      },
    );
  });
}
