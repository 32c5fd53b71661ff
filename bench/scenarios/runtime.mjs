// Runtimes: each language runtime serving an echo handler against the least that language's web
// stack must do (a bare server that reads the body, parses it and answers the input).

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { compareTargets, roundRatio, totalCpuUs } from '../lib/compare.mjs';
import { fixture, freePort, repoPath, waitHealthy } from '../lib/harness.mjs';
import { startBareEcho, startNodeRuntime } from '../lib/processes.mjs';

export const id = 'runtime';
export const title = 'Runtimes: echo handler vs a bare server of the same stack';

export async function run(ctx) {
  const stacks = [];
  const bare = await startBareEcho(ctx);
  const runtime = await startNodeRuntime(ctx);
  stacks.push({
    language: 'Node',
    targets: [
      {
        name: 'bare node:http',
        reference: true,
        url: `${bare.url}/invoke`,
        hops: [{ name: 'server', pid: bare.pid }],
      },
      {
        name: 'nanofaas Node runtime',
        url: `${runtime.url}/invoke`,
        hops: [{ name: 'server', pid: runtime.pid }],
      },
    ],
    stop: [bare.child, runtime.child],
  });
  const python = await startPython(ctx);
  if (python) stacks.push(python);
  else ctx.note('runtime: Python left out (no virtualenv: bash runtimes/python/scripts/venv.sh)');
  const java = ctx.quick ? null : await startJava(ctx);
  if (java) stacks.push(java);
  else ctx.note(`runtime: Java left out (${ctx.quick ? '--quick' : 'jars not built or no java'})`);

  const result = { points: {}, goals: [], charts: [] };
  for (const stack of stacks) {
    ctx.log(`runtime ${stack.language}`);
    const [point] = compareTargets({
      targets: stack.targets,
      connections: [16],
      timing: ctx.timing,
      log: ctx.log,
    });
    for (const child of stack.stop) await ctx.procs.stop(child);
    const [ref, ours] = stack.targets.map((t) => t.name);
    result.points[stack.language] = point;
    const ratio = roundRatio(point, ours, ref);
    const cpu = totalCpuUs(point.targets[ours]) / totalCpuUs(point.targets[ref]);
    result.goals.push({
      what: `${stack.language} runtime throughput vs ${ref}, 16 connections`,
      target: '≥ 85 % (the runtimes’ own goal)',
      measured: `${pct(ratio)} (median of round ratios); CPU per request ${cpu.toFixed(2)} × the bare server's`,
      met: ratio >= 0.85,
    });
    result.charts.push({ title: `${stack.language} runtime, 16 connections`, points: [point] });
  }
  return result;
}

async function startPython(ctx) {
  const venvPython = repoPath('runtimes/python/.venv/bin/python');
  if (!existsSync(venvPython)) return null;
  const bin = dirname(venvPython);
  const servers = [];
  for (const [name, app] of [
    ['bare Flask (Gunicorn)', 'bare_app:app'],
    ['nanofaas Python runtime', 'nanofaas_runtime.app:app'],
  ]) {
    const port = await freePort();
    const { child } = await ctx.procs.start(
      `${bin}/gunicorn`,
      ['-c', 'python:nanofaas_runtime.gunicorn_conf', app],
      {
        cwd: fixture('.'),
        env: {
          PORT: String(port),
          HOST: '127.0.0.1',
          HANDLER_MODULE: 'echo_handler',
          WORKERS: '2',
          THREADS: '4',
          LOG_LEVEL: 'warn',
        },
      },
    );
    await waitHealthy(`http://127.0.0.1:${port}/health`);
    servers.push({ name, child, url: `http://127.0.0.1:${port}/invoke` });
  }
  return {
    language: 'Python',
    targets: servers.map((s, i) => ({
      name: s.name,
      reference: i === 0,
      url: s.url,
      hops: [{ name: 'server', pid: s.child.pid, group: true }],
    })),
    stop: servers.map((s) => s.child),
  };
}

async function startJava(ctx) {
  const words = repoPath('examples/java/word-stats/target/word-stats.jar');
  const echo = repoPath('bench/java-runtime/echo/target/bare-echo.jar');
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
    // The reference jar is built here (the example's jar comes with `npm run build` when Maven exists).
    if (!existsSync(echo) && existsSync(words)) {
      ctx.log('building the bare Spring Boot echo (Maven)');
      execFileSync('mvn', ['-B', '-q', '--no-transfer-progress', 'package', '-DskipTests'], {
        cwd: repoPath('bench/java-runtime/echo'),
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    }
  } catch {
    return null;
  }
  if (!existsSync(words) || !existsSync(echo)) return null;
  const servers = [];
  for (const [name, jar] of [
    ['bare Spring Boot echo', echo],
    ['nanofaas Java runtime (word-stats)', words],
  ]) {
    const port = await freePort();
    const { child } = await ctx.procs.start('java', ['-jar', jar], {
      env: { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    });
    await waitHealthy(`http://127.0.0.1:${port}/health`, 120_000);
    servers.push({ name, child, url: `http://127.0.0.1:${port}/invoke` });
  }
  return {
    language: 'Java',
    targets: servers.map((s, i) => ({
      name: s.name,
      reference: i === 0,
      url: s.url,
      hops: [{ name: 'server', pid: s.child.pid }],
    })),
    stop: servers.map((s) => s.child),
  };
}

const pct = (x) => `${(x * 100).toFixed(0)} %`;
