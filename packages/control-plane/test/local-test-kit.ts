/**
 * Shared pieces of the local backend's tests: a started LocalBackend on a temporary functions root,
 * a loopback completion-callback receiver, dispatch builders, and /proc scans for leftover processes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FunctionSpec, resolveFunctionSpec } from '@nanofaas/contracts';
import type { DeployedFunction, Dispatch } from '../src/backends/backend.js';
import { LocalBackend } from '../src/backends/local/local-backend.js';
import { INSTANCE_MARKER } from '../src/backends/local/orphan-sweeper.js';
import { EnvReader } from '../src/config/env-reader.js';
import { loadLocalBackendConfig } from '../src/config/local-backend-config.js';
import { type CompletionReceiver, startCompletionReceiver } from './fixtures/completion-receiver.js';

export { type CompletionReceiver, startCompletionReceiver };

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
  // Functions run as a uid of their own under a root control plane: their files must be open to it.
  chmodSync(root, 0o755);
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
        requestBody: Buffer.from(JSON.stringify({ input })),
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
