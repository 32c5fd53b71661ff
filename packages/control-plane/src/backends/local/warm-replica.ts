import type { ResolvedFunctionSpec } from '@nanofaas/contracts';
import type { LocalBackendConfig } from '../../config/local-backend-config.js';
import { type Clock, sleep } from '../../deps/clock.js';
import { FunctionHttpClient } from '../function-http-client.js';
import { createScratchDir, type InstanceDeps, launchInstance } from './instance-process.js';
import type { InstanceIsolation } from './launch-plan.js';
import type { PortAllocator } from './port-allocator.js';
import { describeExit, type ExitStatus, type LaunchedProcess } from './process-launcher.js';
import { warmReplicaEnvironment } from './watchdog-environment.js';

/** `unhealthy`: was ready, now failing its health check (the watchdog restarts its runtime). */
export type ReplicaState = 'starting' | 'ready' | 'unhealthy' | 'draining' | 'stopped';

export interface WarmReplicaOptions {
  readonly id: string;
  readonly spec: ResolvedFunctionSpec;
  readonly revision: number;
  readonly cwd: string;
  readonly baseEnv: Record<string, string>;
  readonly memoryBytes: number | undefined;
  readonly isolation: InstanceIsolation;
}

export interface WarmReplicaDeps extends InstanceDeps {
  readonly config: LocalBackendConfig;
  readonly ports: PortAllocator;
  readonly clock: Clock;
}

/** Why a replica did not become ready. */
export class ReplicaStartError extends Error {
  /** SPAWN_FAILED when the command cannot start at all; RUNTIME_UNAVAILABLE otherwise. */
  readonly code: 'SPAWN_FAILED' | 'RUNTIME_UNAVAILABLE';
  constructor(message: string, code: 'SPAWN_FAILED' | 'RUNTIME_UNAVAILABLE' = 'RUNTIME_UNAVAILABLE') {
    super(message);
    this.name = 'ReplicaStartError';
    this.code = code;
  }
}

/** Runtime restarts the watchdog may make while starting before the replica is given up. */
const MAX_RUNTIME_FAILURES_WHILE_STARTING = 3;

/**
 * Largest answer taken from a warm watchdog: it caps the function's output at MAX_OUTPUT_BYTES
 * (6 MiB by default) itself; this only bounds a watchdog that misbehaves.
 */
export const WATCHDOG_ANSWER_MAX_BYTES = 8 * 1024 * 1024;

/**
 * In warm HTTP mode the watchdog restarts a runtime that dies or never gets healthy, by itself and
 * forever; its log says so. Reading that log lets a replica fail fast with the runtime's own error
 * (a missing command, a crash at import) instead of waiting for the ready timeout.
 */
function watchRuntimeFailures(process: LaunchedProcess) {
  let restarts = 0;
  let failure: { message: string; code: 'SPAWN_FAILED' | 'RUNTIME_UNAVAILABLE' } | undefined;
  const unsubscribe = process.onStderrLine((line) => {
    let entry: { msg?: unknown; error?: { code?: unknown; message?: unknown } };
    try {
      entry = JSON.parse(line);
    } catch {
      return;
    }
    const message = typeof entry.error?.message === 'string' ? entry.error.message : String(entry.msg);
    if (entry.msg === 'cannot start runtime' && entry.error?.code === 'SPAWN_FAILED') {
      failure = { message, code: 'SPAWN_FAILED' };
    } else if (typeof entry.msg === 'string' && entry.msg.endsWith('restarting')) {
      restarts++;
      if (restarts >= MAX_RUNTIME_FAILURES_WHILE_STARTING) {
        failure = {
          message: `the runtime failed ${restarts} times while starting: ${message}`,
          code: 'RUNTIME_UNAVAILABLE',
        };
      }
    }
  });
  return { failure: () => failure, unsubscribe };
}

/**
 * One warm replica: a watchdog with WARM=true on a free loopback port, ready once its GET /health
 * answers 200 (spec: "Pod Deployment"). The pool decides what it serves; this class starts it,
 * talks to it and stops it.
 */
export class WarmReplica {
  readonly id: string;
  readonly revision: number;
  state: ReplicaState = 'starting';
  /** Requests the pool has sent and not yet seen answered. */
  inFlight = 0;
  startedAt = 0;
  readyAt = 0;
  /** The watchdog's loopback port (0 until started). */
  port = 0;
  /** Started while the function had no ready replica: its first request is a cold start. */
  startedFromZero = false;
  servedFirst = false;
  #client: FunctionHttpClient | undefined;
  #process: LaunchedProcess | undefined;
  #stopRequested = false;
  readonly #options: WarmReplicaOptions;
  readonly #deps: WarmReplicaDeps;

  constructor(options: WarmReplicaOptions, deps: WarmReplicaDeps) {
    this.id = options.id;
    this.revision = options.revision;
    this.#options = options;
    this.#deps = deps;
  }

  get client(): FunctionHttpClient {
    if (this.#client === undefined) throw new Error(`replica ${this.id} has not started`);
    return this.#client;
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  /** Resolves once the process has exited and been cleaned up; undefined before start. */
  get exited(): Promise<ExitStatus> | undefined {
    return this.#process?.exited;
  }

  /** True when the replica is being stopped on purpose (its exit is not a crash). */
  get stopRequested(): boolean {
    return this.#stopRequested;
  }

  /** Starts the watchdog and resolves when it is ready; rejects with ReplicaStartError. */
  async start(): Promise<void> {
    const { config, clock } = this.#deps;
    const { spec } = this.#options;
    this.startedAt = clock.now();
    const [port, runtimePort] = [await this.#deps.ports.allocate(), await this.#deps.ports.allocate()];
    if (this.#stopRequested) throw new ReplicaStartError('stopped while starting');
    const scratchDir = createScratchDir(this.id, this.#options.isolation);
    const env = warmReplicaEnvironment(spec, {
      base: this.#options.baseEnv,
      port,
      runtimePort,
      instanceId: this.id,
      scratchDir,
      healthTimeoutMs: config.readyTimeoutMs,
    });
    this.port = port;
    // The watchdog enforces X-Timeout-Ms and caps the function's output itself.
    this.#client = new FunctionHttpClient(new URL(`http://127.0.0.1:${port}/invoke`), {
      maxConnections: spec.concurrency,
      maxOutputBytes: WATCHDOG_ANSWER_MAX_BYTES,
      timeoutGraceMs: 2_000,
    });
    this.#process = launchInstance(
      {
        instanceId: this.id,
        functionName: spec.name,
        watchdogPath: config.watchdogPath,
        env,
        cwd: this.#options.cwd,
        label: this.id,
        scratchDir,
        memoryBytes: this.#options.memoryBytes,
        isolation: this.#options.isolation,
      },
      this.#deps,
    );
    await this.#waitReady(this.#process, this.#client);
    if (this.#stopRequested) throw new ReplicaStartError('stopped while starting');
    this.state = 'ready';
    this.readyAt = clock.now();
  }

  async #waitReady(process: LaunchedProcess, client: FunctionHttpClient): Promise<void> {
    const { readyTimeoutMs, healthIntervalMs } = this.#deps.config;
    const deadline = this.#deps.clock.now() + readyTimeoutMs;
    let exit: ExitStatus | undefined;
    void process.exited.then((status) => {
      exit = status;
    });
    const runtime = watchRuntimeFailures(process);
    try {
      while (!this.#stopRequested) {
        if (exit !== undefined || process.hasExited()) {
          const status = exit ?? (await process.exited);
          throw new ReplicaStartError(
            `watchdog ${describeExit(status)} before it was ready${lastError(process)}`,
          );
        }
        const failure = runtime.failure();
        if (failure !== undefined) {
          await process.stop(0);
          throw new ReplicaStartError(failure.message, failure.code);
        }
        if (await client.checkHealth('/health', Math.max(100, healthIntervalMs * 10))) return;
        if (this.#deps.clock.now() >= deadline) {
          const detail = lastError(process);
          await process.stop(0);
          throw new ReplicaStartError(`not ready after ${readyTimeoutMs} ms${detail}`);
        }
        await sleep(this.#deps.clock, healthIntervalMs);
      }
    } finally {
      runtime.unsubscribe();
    }
  }

  /**
   * Whether the request that gets this replica now is a cold start: it waited for the replica to
   * become ready (it arrived before), or it is the first request of a replica started from zero
   * because of queued demand (it waited in the scheduler's queue instead of the pool's).
   */
  takeColdStart(arrivedAt: number): boolean {
    const first = this.startedFromZero && !this.servedFirst;
    this.servedFirst = true;
    return first || this.readyAt >= arrivedAt;
  }

  /** While `unhealthy`: polls GET /health until 200 (true) or `withinMs` pass (false). */
  async awaitHealthy(withinMs: number): Promise<boolean> {
    const deadline = this.#deps.clock.now() + withinMs;
    while (this.state === 'unhealthy' && !this.#stopRequested) {
      if (await this.client.checkHealth('/health', 1_000)) return true;
      if (this.#deps.clock.now() >= deadline) return false;
      await sleep(this.#deps.clock, Math.max(50, this.#deps.config.healthIntervalMs * 5));
    }
    return false;
  }

  /** SIGTERM (the watchdog drains), SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs: number): Promise<void> {
    this.#stopRequested = true;
    this.state = 'stopped';
    if (this.#process !== undefined) await this.#process.stop(graceMs);
    await this.#client?.close();
  }

  /** Last error line the watchdog logged, for status messages. */
  describeFailure(): string {
    return this.#process === undefined ? '' : lastError(this.#process);
  }
}

function lastError(process: LaunchedProcess): string {
  const lines = process
    .stderrTail()
    .split('\n')
    .filter((line) => line.trim() !== '');
  const errorLine =
    [...lines].reverse().find((line) => /error|invalid|cannot|fail/i.test(line)) ?? lines.at(-1);
  return errorLine === undefined ? '' : `: ${errorLine.slice(0, 500)}`;
}
