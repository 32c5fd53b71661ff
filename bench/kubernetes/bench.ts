// Kubernetes backend figures on the k8s test bed (bench/README.md, "Kubernetes backend"):
// register → first success (pods from zero), scale from zero → first response, REMOTE Job invoke
// latency, and warm sync throughput through the control plane to 1 and 3 pods against one pod
// called directly (wrk). Run: bash bench/kubernetes/run.sh
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { buildApp } from '../../packages/control-plane/src/app.js';
import { loadConfig } from '../../packages/control-plane/src/config/load-config.js';
import { startTestbed } from '../../test/k8s-testbed/src/index.js';
// @ts-expect-error plain ESM helper without types
import { invokeRequestScript, loadText, median, percentile } from '../lib/harness.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const watchdog = join(repo, 'watchdog/dist/watchdog');
const echo = join(repo, 'packages/control-plane/test/fixtures/echo-server.mjs');
const namespace = 'bench';
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const loadBefore = loadText();

const bed = await startTestbed({ onProgress: () => undefined, imageEntrypoints: { '*': [watchdog] } });
const dataDir = mkdtempSync(join(tmpdir(), 'nanofaas-bench-k8s-'));
const app = buildApp(
  loadConfig({
    NANOFAAS_BACKEND: 'kubernetes',
    KUBECONFIG: bed.kubeconfigPath,
    NANOFAAS_K8S_NAMESPACE: namespace,
    HOST: bed.network.hostIP,
    PORT: '0',
    NANOFAAS_AUTH: 'off',
    NANOFAAS_DATA_DIR: dataDir,
    NANOFAAS_LOG_LEVEL: 'error',
    NANOFAAS_K8S_AUTOSCALE_INTERVAL_MS: '200',
  }),
);
const rows: string[] = [];
try {
  await bed.createNamespace(namespace);
  await app.start();
  const base = app.url();
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
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
      await new Promise((resolve) => setTimeout(resolve, 20));
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
  const core = new KubeConfig();
  core.loadFromFile(bed.kubeconfigPath);
  const pods = core.makeApiClient(CoreV1Api);
  const coldMs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // Idle for idleTimeoutMs: the autoscaler takes it to zero.
    while ((await pods.listNamespacedPod({ namespace, labelSelector: 'function=cold' })).items.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const started = performance.now();
    const reply = await call('POST', '/v1/functions/cold:invoke', { input: 'wake' });
    if (reply.status !== 200) throw new Error(reply.text);
    coldMs.push(performance.now() - started);
  }
  rows.push(`| scale from zero → first response (activation) | ${fmt(coldMs)} |`);

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
    `| REMOTE invoke (Job + Secret created, pod runs, callback) | p50 ${jobMs.length ? median(jobMs).toFixed(0) : '-'} ms, p95 ${percentile(jobMs, 95).toFixed(0)} ms (${jobMs.length} runs) |`,
  );

  await call('POST', '/v1/functions', warmSpec('warm', { scaling: { minReplicas: 1, maxReplicas: 3 } }));
  await untilOk('/v1/functions/warm:invoke');
  const [pod] = (await pods.listNamespacedPod({ namespace, labelSelector: 'function=warm' })).items;
  const direct = `http://${pod?.status?.podIP}:8080/invoke`;
  const through = `${base}/v1/functions/warm:invoke`;
  for (const connections of [16, 64]) {
    const best = { direct: 0, one: 0, three: 0 };
    for (let round = 0; round < 3; round++) {
      await call('PUT', '/v1/functions/warm/replicas', { replicas: 1 });
      best.direct = Math.max(best.direct, await wrkRps(direct, connections));
      best.one = Math.max(best.one, await wrkRps(through, connections));
      await call('PUT', '/v1/functions/warm/replicas', { replicas: 3 });
      for (;;) {
        const status = JSON.parse((await call('GET', '/v1/functions/warm')).text).status;
        if (status?.readyReplicas === 3) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      best.three = Math.max(best.three, await wrkRps(through, connections));
    }
    rows.push(
      `| warm sync, ${connections} connections | one pod directly ${best.direct.toFixed(0)} req/s · through the control plane to 1 pod ${best.one.toFixed(0)} req/s (${pct(best.one, best.direct)}) · to 3 pods ${best.three.toFixed(0)} req/s (${pct(best.three, best.direct)}) |`,
    );
  }
} finally {
  await app.stop();
  await bed.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(
  `Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · command: \`bash bench/kubernetes/run.sh\` (${rounds} rounds; wrk -t1, best of 3 interleaved ${seconds}s runs; load average before: ${loadBefore}, after: ${loadText()})\n`,
);
console.log('| what | figure |\n|---|---|');
for (const row of rows) console.log(row);

function fmt(list: number[]): string {
  return `p50 ${median(list).toFixed(0)} ms (min ${Math.min(...list).toFixed(0)}, max ${Math.max(...list).toFixed(0)}, ${list.length} runs)`;
}

function pct(value: number, reference: number): string {
  return `${((value / reference) * 100).toFixed(0)} %`;
}

/** wrk without blocking this process's event loop (the control plane runs in it). */
function wrkRps(url: string, connections: number): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(
      'wrk',
      ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', invokeRequestScript, url],
      { encoding: 'utf8' },
      (error, stdout) => {
        if (error) reject(error);
        else if (/Non-2xx/.test(stdout)) reject(new Error(`non-2xx answers from ${url}:\n${stdout}`));
        else resolve(Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]));
      },
    );
  });
}
