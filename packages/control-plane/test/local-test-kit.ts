/**
 * Shared pieces of the local backend's tests: a started LocalBackend on a temporary functions root,
 * a loopback completion-callback receiver, dispatch builders, and /proc scans for leftover processes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CompletionCallback, type FunctionSpec, resolveFunctionSpec } from '@nanofaas/contracts';
import type { CompletionChannel, DeployedFunction, Dispatch } from '../src/backends/backend.js';
import { LocalBackend } from '../src/backends/local/local-backend.js';
import { INSTANCE_MARKER } from '../src/backends/local/orphan-sweeper.js';
import { EnvReader } from '../src/config/env-reader.js';
import { loadLocalBackendConfig } from '../src/config/local-backend-config.js';

export interface LocalKit {
  readonly backend: LocalBackend;
  readonly root: string;
  readonly callbacks: CompletionReceiver;
  /** Writes an executable script into the functions root; returns its absolute path. */
  script(name: string, body: string): string;
  deploy(spec: Omit<FunctionSpec, 'name'> & { name?: string }, revision?: number): Promise<DeployedFunction>;
  dispatch(fn: DeployedFunction, input: unknown, extra?: Partial<DispatchExtra>): Dispatch;
  cleanup(): Promise<void>;
}

export interface DispatchExtra {
  timeoutMs: number;
  attempt: number;
  signal: AbortSignal;
}

let functionCounter = 0;

/** Fast settings for tests: short windows and backoffs, the real watchdog binary. */
export async function startLocalKit(
  env: Record<string, string> = {},
  envSource: Record<string, string | undefined> = process.env,
): Promise<LocalKit> {
  const root = mkdtempSync(join(tmpdir(), 'nanofaas-local-test-'));
  const config = loadLocalBackendConfig(
    new EnvReader({
      NANOFAAS_FUNCTIONS_ROOT: root,
      NANOFAAS_LOCAL_AUTOSCALE_INTERVAL_MS: '100',
      NANOFAAS_LOCAL_SCALE_DOWN_WINDOW_MS: '500',
      NANOFAAS_LOCAL_RESTART_BACKOFF_MS: '50',
      NANOFAAS_LOCAL_RESTART_BACKOFF_MAX_MS: '400',
      NANOFAAS_LOCAL_STOP_GRACE_MS: '2000',
      NANOFAAS_LOCAL_CALLBACK_GRACE_MS: '500',
      ...env,
    }),
    root,
  );
  const backend = new LocalBackend({ config, envSource, log: () => undefined, processLog: () => undefined });
  await backend.start({ load: { queuedCount: () => 0 } });
  const callbacks = await startCompletionReceiver();
  return {
    backend,
    root,
    callbacks,
    script(name, body) {
      const path = join(root, name);
      writeFileSync(path, body);
      chmodSync(path, 0o755);
      return path;
    },
    async deploy(spec, revision = 1) {
      functionCounter++;
      const resolved = resolveFunctionSpec({
        name: `t${functionCounter}-${process.pid}`,
        ...spec,
      } as FunctionSpec);
      const fn = { spec: resolved, revision };
      await backend.ensureFunction(fn);
      return fn;
    },
    dispatch(fn, input, extra = {}) {
      const executionId = randomUUID();
      const traceId = randomBytes(16).toString('hex');
      return {
        executionId,
        attempt: extra.attempt ?? 1,
        traceId,
        request: { input },
        timeoutMs: extra.timeoutMs ?? fn.spec.timeoutMs,
        signal: extra.signal ?? new AbortController().signal,
        ...(fn.spec.executionMode === 'REMOTE' ? { completion: callbacks.channel(executionId) } : {}),
      };
    },
    async cleanup() {
      await backend.stop();
      await callbacks.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Pids of live processes started for `functionName` (by the instance marker in their environment). */
export function processesOf(functionName: string): number[] {
  const needle = Buffer.from(`${INSTANCE_MARKER}=${functionName}-`);
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue; // zombie: already dead
      if (readFileSync(`/proc/${entry}/environ`).includes(needle)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Polls `condition` until it holds or `timeoutMs` passes; returns whether it held. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  intervalMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return condition();
}

export interface CompletionReceiver {
  channel(executionId: string): CompletionChannel;
  close(): Promise<void>;
}

/** A loopback `POST {url}/{id}:complete` receiver checking bearer tokens, as the control plane has. */
export async function startCompletionReceiver(): Promise<CompletionReceiver> {
  const waiting = new Map<string, { token: string; resolve: (body: CompletionCallback) => void }>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const match = /\/([^/]+):complete$/.exec(req.url ?? '');
      const entry = match?.[1] === undefined ? undefined : waiting.get(decodeURIComponent(match[1]));
      if (entry === undefined || req.headers.authorization !== `Bearer ${entry.token}`) {
        res.writeHead(401).end();
        return;
      }
      entry.resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as CompletionCallback);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    channel(executionId) {
      const token = randomBytes(16).toString('hex');
      let resolve!: (body: CompletionCallback) => void;
      const done = new Promise<CompletionCallback>((r) => {
        resolve = r;
      });
      waiting.set(executionId, { token, resolve });
      return { url: `http://127.0.0.1:${port}/v1/internal/executions`, token, wait: () => done };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A free loopback port (bind 0, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
