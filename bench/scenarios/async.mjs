// Durable async: enqueue rate (202 only after the commit, default NANOFAAS_DB_SYNCHRONOUS=full)
// while the executions run; enqueue → completion on a quiet queue; a burst enqueued at once and
// drained by a POOL function.
import { HttpClient, median, percentile, runWrk, sleep } from '../lib/harness.mjs';
import { startControlPlane, startNodeRuntime } from '../lib/processes.mjs';

export const id = 'async';
export const title = 'Async: durable enqueue, enqueue → completion, a burst drained';

const SPEC = {
  concurrency: 64,
  queueSize: 100_000,
  maxRetries: 0,
  scaling: { minReplicas: 1, maxReplicas: 1 },
};

export async function run(ctx) {
  const client = new HttpClient();
  const result = { points: {}, goals: [], charts: [], figures: {} };
  try {
    const runtime = await startNodeRuntime(ctx);
    const cp = await startControlPlane(ctx, 'pool');
    for (const name of ['sink', 'trickle', 'burst']) {
      await client.api(cp.base, 'POST', '/v1/functions', {
        name,
        endpointUrl: `${runtime.url}/invoke`,
        ...SPEC,
      });
    }

    // 1. Enqueue rate with wrk, the executions running meanwhile.
    ctx.log('async enqueue (wrk, 64 connections)');
    runWrk(`${cp.base}/v1/functions/sink:enqueue`, { connections: 64, seconds: ctx.timing.warmupSeconds });
    await waitDrained(client, cp.base, 'sink', 60_000);
    const enqueueRounds = [];
    for (let round = 0; round < ctx.timing.rounds; round++) {
      const r = runWrk(`${cp.base}/v1/functions/sink:enqueue`, {
        connections: 64,
        seconds: ctx.timing.seconds,
      });
      const accepted = (r.requests - r.non2xx) / ctx.timing.seconds;
      enqueueRounds.push({ ...r, accepted });
      ctx.log(
        `  round ${round + 1}: ${accepted.toFixed(0)} accepted/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, non-2xx ${r.non2xx}`,
      );
      await waitDrained(client, cp.base, 'sink', 120_000);
    }
    const acceptedPerS = median(enqueueRounds.map((r) => r.accepted));
    result.figures.enqueue = {
      acceptedPerS,
      rounds: enqueueRounds.map((r) => r.accepted),
      p50Ms: median(enqueueRounds.map((r) => r.p50Ms)),
      p99Ms: median(enqueueRounds.map((r) => r.p99Ms)),
    };
    result.goals.push({
      what: 'durable async enqueue, 64 connections (202 after the commit, synchronous=full)',
      target: '≥ 10,000 accepted/s',
      measured: `${acceptedPerS.toFixed(0)}/s (rounds ${enqueueRounds.map((r) => r.accepted.toFixed(0)).join(', ')}; p99 ${result.figures.enqueue.p99Ms} ms)`,
      met: acceptedPerS >= 10_000,
    });

    // 2. enqueue → completion on a quiet queue (the server's own createdAt → finishedAt).
    const trickle = [];
    for (let i = 0; i < (ctx.quick ? 10 : 50); i++) {
      const { executionId } = await client.api(cp.base, 'POST', '/v1/functions/trickle:enqueue', {
        input: i,
      });
      const record = await waitTerminal(client, cp.base, executionId);
      trickle.push(Date.parse(record.finishedAt) - Date.parse(record.createdAt));
    }
    result.figures.enqueueToCompletion = {
      runs: trickle.length,
      p50Ms: percentile(trickle, 50),
      p95Ms: percentile(trickle, 95),
    };
    result.goals.push({
      what: 'enqueue → completion, one at a time (createdAt → finishedAt of the record)',
      target: '(reported)',
      measured: `p50 ${percentile(trickle, 50)} ms, p95 ${percentile(trickle, 95)} ms (${trickle.length} runs)`,
      met: null,
    });

    // 3. A burst enqueued at once (64 at a time), then drained.
    const count = ctx.quick ? 1000 : 10_000;
    ctx.log(`async burst of ${count}`);
    const started = performance.now();
    const answers = await HttpClient.pool(count, 64, (i) =>
      client.send(`${cp.base}/v1/functions/burst:enqueue`, { body: { input: i } }),
    );
    const enqueuedMs = performance.now() - started;
    const refused = answers.filter((a) => a.status !== 202).length;
    const done = await waitDrained(client, cp.base, 'burst', 300_000);
    const drainedMs = performance.now() - started;
    result.figures.burst = { count, refused, enqueuedMs, drainedMs, finished: done };
    result.goals.push({
      what: `burst of ${count.toLocaleString('en')} enqueued at once, drained`,
      target: '(reported; every one accepted and run)',
      measured: `enqueued in ${(enqueuedMs / 1000).toFixed(2)} s (${(count / (enqueuedMs / 1000)).toFixed(0)}/s, ${refused} refused); all finished after ${(drainedMs / 1000).toFixed(2)} s (${(count / (drainedMs / 1000)).toFixed(0)} executions/s)`,
      met: refused === 0 && done >= count,
    });
    result.charts.push({
      title: 'Async enqueue, 64 connections',
      points: [
        {
          connections: 64,
          targets: {
            'enqueue (202 after commit)': {
              reference: false,
              rps: spreadOf(enqueueRounds.map((r) => r.accepted)),
              p50Ms: spreadOf(enqueueRounds.map((r) => r.p50Ms)),
              p99Ms: spreadOf(enqueueRounds.map((r) => r.p99Ms)),
            },
          },
        },
      ],
    });
    await ctx.procs.stop(cp.child, 10_000);
    await ctx.procs.stop(runtime.child);
  } finally {
    client.close();
  }
  return result;
}

const spreadOf = (list) => ({ median: median(list), min: Math.min(...list), max: Math.max(...list) });

/** Finished executions of `fn` so far, from /metrics. */
async function finished(client, base, fn) {
  const { body } = await client.send(`${base}/metrics`, { method: 'GET' });
  let total = 0;
  for (const line of body.toString('utf8').split('\n')) {
    if (line.startsWith('nanofaas_invocations_total{') && line.includes(`function="${fn}"`)) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

/** Waits until `fn` has nothing queued or running; resolves the number of finished executions. */
async function waitDrained(client, base, fn, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { body } = await client.send(`${base}/metrics`, { method: 'GET' });
    const text = body.toString('utf8');
    const gauge = (name) => {
      const match = new RegExp(`^${name}\\{function="${fn}"\\} (\\d+)`, 'm').exec(text);
      return match ? Number(match[1]) : 0;
    };
    if (gauge('nanofaas_queue_depth') === 0 && gauge('nanofaas_in_flight') === 0)
      return finished(client, base, fn);
    await sleep(20);
  }
  throw new Error(`${fn}: executions still queued after ${timeoutMs} ms`);
}

async function waitTerminal(client, base, id) {
  for (let i = 0; i < 5000; i++) {
    const record = await client.api(base, 'GET', `/v1/executions/${id}`);
    if (!['queued', 'running'].includes(record.status)) return record;
    await sleep(2);
  }
  throw new Error(`execution ${id} did not finish`);
}
