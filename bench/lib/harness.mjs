// Shared pieces of the benchmark scripts: starting processes, running wrk, simple statistics.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

/** The wrk script that POSTs a small InvocationRequest. */
export const invokeRequestScript = fileURLToPath(new URL('./invoke-request.lua', import.meta.url));

/**
 * Spawns `node ...argv` and resolves once its stdout or stderr matches `pattern`; the child is added to
 * `children` so the caller can stop every process it started.
 */
export function spawnUntil(children, argv, env, pattern) {
  const child = spawn(process.execPath, argv, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk) => {
      text += chunk;
      const match = pattern.exec(text);
      if (match) resolve({ child, match });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${argv.join(' ')} exited ${code}: ${text}`)));
  });
}

function toMs(value, unit) {
  return Number(value) * { us: 0.001, ms: 1, s: 1000 }[unit];
}

/** One wrk run (1 thread) against `url`: requests/s, p50/p99 in ms, request and non-2xx counts. */
export function runWrk(url, { connections, seconds, script = invokeRequestScript }) {
  const output = execFileSync(
    'wrk',
    ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, url],
    { encoding: 'utf8' },
  );
  const latency = (p) => {
    const match = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(output);
    return match ? toMs(match[1], match[2]) : Number.NaN;
  };
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]),
    p50Ms: latency(50),
    p99Ms: latency(99),
    requests: Number(/(\d+) requests in/.exec(output)?.[1]),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? '0'),
  };
}

/** CPU time (user + system) a process used so far, in microseconds (clock ticks of 10 ms). */
export function cpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

export const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

export const percentile = (list, p) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

export const loadText = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
