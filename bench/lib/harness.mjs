// The benchmark harness: processes it starts (and always stops), the load generator (wrk), /proc
// readings (CPU time, RSS) and the statistics every scenario reports the same way.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

export const repoPath = (path) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
export const fixture = (name) => repoPath(`bench/fixtures/${name}`);

/** The wrk script that POSTs a small InvocationRequest. */
export const invokeRequestScript = fixture('invoke-request.lua');

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every process the harness started; `stopAll` ends them (process group first, then the child). */
export class ProcessSet {
  #children = [];

  /**
   * Spawns `command args` in its own process group and resolves once stdout or stderr matches
   * `pattern` ({ child, match }); rejects if it exits first or `timeoutMs` passes.
   */
  start(command, args, { env = {}, cwd, pattern, timeoutMs = 60_000 } = {}) {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.#children.push(child);
    let text = '';
    const keep = (chunk) => {
      if (text.length < 65_536) text += chunk;
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    if (!pattern) return Promise.resolve({ child, match: null });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${command} did not print ${pattern} within ${timeoutMs} ms: ${text}`)),
        timeoutMs,
      );
      const check = () => {
        const match = pattern.exec(text);
        if (!match) return;
        clearTimeout(timer);
        child.stdout.off('data', check);
        child.stderr.off('data', check);
        resolve({ child, match });
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${command} ${args.join(' ')} exited (${code ?? signal}): ${text}`));
      });
    });
  }

  /** Stops one child: SIGTERM to its group, SIGKILL after `graceMs`. */
  async stop(child, graceMs = 2000) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    signalGroup(child, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    signalGroup(child, 'SIGKILL'); // whatever the child left in its group
  }

  async stopAll() {
    await Promise.all(this.#children.map((child) => this.stop(child)));
    this.#children = [];
  }
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** A free loopback TCP port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 200 (bounded by `timeoutMs`). */
export async function waitHealthy(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await new Promise((resolve) => {
      const req = httpRequest(url, { agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', () => resolve(0));
      req.end();
    });
    if (status === 200) return;
    await sleep(20);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

function toMs(value, unit) {
  return Number(value) * { us: 0.001, ms: 1, s: 1000 }[unit];
}

/** One wrk run (1 thread) against `url`: requests/s, p50/p99 in ms, request and non-2xx counts. */
export function runWrk(url, { connections, seconds, script = invokeRequestScript }) {
  const output = execFileSync(
    'wrk',
    ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '--latency', '-s', script, url],
    { encoding: 'utf8' },
  );
  const latency = (p) => {
    const match = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(output);
    return match ? toMs(match[1], match[2]) : Number.NaN;
  };
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]),
    p50Ms: latency(50),
    p99Ms: latency(99),
    requests: Number(/(\d+) requests in/.exec(output)?.[1]),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? '0'),
    socketErrors: errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
  };
}

const CLOCK_TICK_US = 10_000; // USER_HZ is 100 on Linux

/**
 * CPU time (user + system) of one process so far, in microseconds; 0 if it is gone. With
 * `withChildren`, also that of its children it has reaped (per-invocation processes).
 */
export function cpuMicros(pid, withChildren = false) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const own = Number(fields[11]) + Number(fields[12]);
    return (own + (withChildren ? Number(fields[13]) + Number(fields[14]) : 0)) * CLOCK_TICK_US;
  } catch {
    return 0;
  }
}

/**
 * CPU time of every live process whose process group is `pgid` (a child the harness started with
 * its own group: the watchdog and its runtime, Gunicorn's master and workers), in microseconds.
 */
export function groupCpuMicros(pgid) {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ');
      if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited meanwhile
    }
  }
  return ticks * CLOCK_TICK_US;
}

/** Resident set size now (VmRSS) or at its peak (VmHWM), in MB. */
export function rssMb(pid, field = 'VmRSS') {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) / 1024;
}

/** Children of `pid` (one level), from /proc. */
export function childPids(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

export const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export const percentile = (list, p) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))];
};

/** Median and min–max of a list of numbers. */
export const spread = (list) => ({ median: median(list), min: Math.min(...list), max: Math.max(...list) });

export const loadText = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** A keep-alive HTTP client for the scenarios that need per-request control (bursts, overload). */
export class HttpClient {
  #agent = new Agent({ keepAlive: true, maxSockets: 512 });

  /** One request; resolves { status, body, ms } (status 0 on a transport error). */
  send(url, { method = 'POST', body, headers = {} } = {}) {
    const payload =
      body === undefined
        ? undefined
        : typeof body === 'string' || Buffer.isBuffer(body)
          ? body
          : JSON.stringify(body);
    const started = performance.now();
    return new Promise((resolve) => {
      const req = httpRequest(
        url,
        {
          method,
          agent: this.#agent,
          headers:
            payload === undefined
              ? headers
              : {
                  'content-type': 'application/json',
                  'content-length': Buffer.byteLength(payload),
                  ...headers,
                },
        },
        (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode, body: Buffer.concat(chunks), ms: performance.now() - started }),
          );
          res.on('error', () =>
            resolve({ status: 0, body: Buffer.alloc(0), ms: performance.now() - started }),
          );
        },
      );
      req.on('error', () => resolve({ status: 0, body: Buffer.alloc(0), ms: performance.now() - started }));
      req.end(payload);
    });
  }

  /** A JSON API call that must succeed; returns the parsed answer (undefined when empty). */
  async api(base, method, path, body) {
    const { status, body: text } = await this.send(`${base}${path}`, { method, body });
    if (status < 200 || status >= 300) throw new Error(`${method} ${path}: ${status} ${text}`);
    return text.length === 0 ? undefined : JSON.parse(text);
  }

  /** Runs `count` calls of `task(i)` with at most `concurrency` at once; resolves their results. */
  static async pool(count, concurrency, task) {
    const results = new Array(count);
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
    return results;
  }

  close() {
    this.#agent.destroy();
  }
}

/** Every descendant of `pid` (children, their children, …), from /proc. */
export function descendants(pid) {
  const out = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of childPids(queue.shift())) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** The first descendant of `pid` whose command name (/proc/<pid>/comm) is `comm`. */
export function findDescendant(pid, comm) {
  return descendants(pid).find((child) => {
    try {
      return readFileSync(`/proc/${child}/comm`, 'utf8').trim() === comm;
    } catch {
      return false;
    }
  });
}
