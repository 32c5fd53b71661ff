import { accessSync, constants } from 'node:fs';
import {
  errorInfo,
  type FunctionStatus,
  PlatformError,
  type ResolvedFunctionSpec,
  type ValidationIssue,
  validationFailed,
} from '@nanofaas/contracts';
import type { LocalBackendConfig } from '../../config/local-backend-config.js';
import { type Clock, systemClock } from '../../deps/clock.js';
import type {
  Backend,
  BackendContext,
  DeployedFunction,
  Dispatch,
  DispatchResult,
  LoadProbe,
  StateListener,
} from '../backend.js';
import type { FunctionLogSink } from '../function-log-sink.js';
import { PoolBackend } from '../pool-backend.js';
import { detectSandbox, type FunctionSandbox } from './function-sandbox.js';
import { FunctionUids } from './function-uids.js';
import { SCRATCH_DIR_PREFIX } from './instance-process.js';
import { type IsolationContext, type LaunchPlanResult, planLaunch } from './launch-plan.js';
import { LocalBackendMetrics } from './local-backend-metrics.js';
import { createMemoryLimiter, type MemoryLimiter } from './memory-limit.js';
import { OneShotRunner } from './one-shot-runner.js';
import { reapInstancesOfDeadControlPlanes, removeScratchDirsOfDeadControlPlanes } from './orphan-sweeper.js';
import { createPortAllocator, type PortAllocator } from './port-allocator.js';
import { createProcessLauncher, type ProcessLauncher } from './process-launcher.js';
import { ReplicaPool, type ReplicaPoolDeps } from './replica-pool.js';
import type { EnvSource } from './watchdog-environment.js';
import { resolveWorkdir } from './workdir.js';

export interface LocalBackendOptions {
  readonly config: LocalBackendConfig;
  readonly clock?: Clock;
  readonly launcher?: ProcessLauncher;
  readonly ports?: PortAllocator;
  readonly memory?: MemoryLimiter;
  /** Where the allow-listed variables (PATH, HOME, …) come from; default process.env. */
  readonly envSource?: EnvSource;
  /** Platform log lines (replica crashes, crash loops). */
  readonly log?: (message: string) => void;
  /** Every stderr line of every watchdog (they log JSON there). */
  readonly processLog?: (label: string, line: string) => void;
  readonly metrics?: LocalBackendMetrics;
  /** Where what functions write goes (the log API); nothing is kept when absent. */
  readonly logs?: FunctionLogSink;
  /** How functions are isolated; detected at start from NANOFAAS_LOCAL_ISOLATION by default. */
  readonly sandbox?: FunctionSandbox;
}

/**
 * Default sink of watchdog log lines: warnings, errors and what the function prints go to the
 * control plane's stderr; routine info lines do not — the watchdog's per-invocation lines (at
 * thousands of requests a second they would cost more than the requests) and a runtime's own
 * JSON info logs (listening, draining).
 */
function forwardWatchdogLine(label: string, line: string): void {
  const routine = line.includes('"level":"info"') || line.includes('"level":"debug"');
  const functionOutput = line.includes('"msg":"function output"');
  const runtimeChatter = functionOutput && /\\"level\\":\\"(info|debug)\\"/.test(line);
  if (!routine || (functionOutput && !runtimeChatter)) process.stderr.write(`[${label}] ${line}\n`);
}

/**
 * Checks a spec against the local backend before it is stored: `workdir` must resolve to a
 * directory inside the functions root. Returns field-level issues (empty when fine).
 */
export function validateLocalFunctionSpec(
  spec: Pick<ResolvedFunctionSpec, 'workdir'>,
  config: Pick<LocalBackendConfig, 'functionsRoot'>,
): ValidationIssue[] {
  const workdir = resolveWorkdir(config.functionsRoot, spec.workdir);
  return workdir.ok ? [] : [workdir.issue];
}

/**
 * The local backend (DESIGN.md §5), the embedded default: a DEPLOYMENT function is a pool of warm
 * watchdog processes on loopback ports (ReplicaPool), a REMOTE invocation is one one-shot watchdog
 * that calls back (OneShotRunner), a POOL function an endpoint that already runs (PoolBackend). Every process runs in its own process group with a sanitised
 * environment, and none outlives `stop()`.
 */
export class LocalBackend implements Backend {
  readonly kind = 'local' as const;
  readonly metrics: LocalBackendMetrics;
  readonly #config: LocalBackendConfig;
  readonly #clock: Clock;
  readonly #launcher: ProcessLauncher;
  readonly #ports: PortAllocator;
  #memoryLimiter: MemoryLimiter | undefined;
  #sandbox: FunctionSandbox | undefined;
  readonly #uids: FunctionUids;
  readonly #envSource: EnvSource;
  readonly #logs: FunctionLogSink | undefined;
  readonly #log: (message: string) => void;
  readonly #pools = new Map<string, ReplicaPool>();
  readonly #functions = new Map<string, { fn: DeployedFunction; plan: LaunchPlanResult }>();
  /** Removed functions: a late invoke must not start them again (only ensureFunction does). */
  readonly #removed = new Set<string>();
  #oneShot: OneShotRunner | undefined;
  /** POOL functions: endpoints that already run, called through the function HTTP client. */
  readonly #endpoints: PoolBackend;
  #load: LoadProbe = { queuedCount: () => 0 };
  #reportState: StateListener | undefined;
  #instanceSequence = 0;
  #stopping: Promise<void> | undefined;

  constructor(options: LocalBackendOptions) {
    this.#config = options.config;
    this.#clock = options.clock ?? systemClock;
    this.#endpoints = new PoolBackend({ clock: this.#clock });
    this.#log = options.log ?? ((message) => process.stderr.write(`${message}\n`));
    const processLog = options.processLog ?? forwardWatchdogLine;
    this.#launcher = options.launcher ?? createProcessLauncher(processLog);
    this.#ports = options.ports ?? createPortAllocator();
    this.#memoryLimiter = options.memory;
    this.#envSource = options.envSource ?? process.env;
    this.#logs = options.logs;
    this.metrics = options.metrics ?? new LocalBackendMetrics();
    this.#sandbox = options.sandbox;
    const own = process.getuid?.();
    this.#uids = new FunctionUids(this.#config.uidRange, new Set(own === undefined ? [] : [own]));
  }

  /** Detected at start (it runs bubblewrap once), never in the constructor. */
  get #isolation(): IsolationContext {
    this.#sandbox ??= detectSandbox(this.#config.isolation, { root: process.getuid?.() === 0 });
    const sandbox = this.#sandbox;
    return { sandbox, uidOf: (name) => this.#uids.uidOf(name) };
  }

  #plan(fn: DeployedFunction): LaunchPlanResult {
    return planLaunch(fn.spec, this.#config, this.#envSource, this.#isolation);
  }

  /** How `resources.memory` is enforced on this machine (logged at start). */
  describeMemoryLimits(): string {
    return this.#memory.describe();
  }

  /** Detected on first use (it probes the cgroup file system), never in the constructor. */
  get #memory(): MemoryLimiter {
    this.#memoryLimiter ??= createMemoryLimiter(this.#config.memoryLimit);
    return this.#memoryLimiter;
  }

  async start(context: BackendContext): Promise<void> {
    this.#load = context.load;
    this.#reportState = context.reportState;
    await this.#endpoints.start(context);
    try {
      accessSync(this.#config.watchdogPath, constants.X_OK);
    } catch {
      throw new Error(
        `local backend: the watchdog binary ${this.#config.watchdogPath} is missing or not executable ` +
          '(build it with `npm run build`, or set NANOFAAS_WATCHDOG_PATH)',
      );
    }
    this.#log(
      `local backend: watchdog ${this.#config.watchdogPath}; resources.memory ${this.#memory.describe()}`,
    );
    const { sandbox } = this.#isolation;
    this.#log(`local backend: function isolation ${sandbox.description}`);
    const reaped = reapInstancesOfDeadControlPlanes();
    removeScratchDirsOfDeadControlPlanes(SCRATCH_DIR_PREFIX);
    if (reaped > 0)
      this.#log(`local backend: killed ${reaped} function processes left by a control plane that died`);
    this.#oneShot = new OneShotRunner({
      ...this.#sharedDeps(),
      nextInstanceId: (name) => this.#nextInstanceId(name),
    });
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const reason = errorInfo('SHUTTING_DOWN', 'the control plane is shutting down');
      const pools = [...this.#pools.values()];
      this.#pools.clear();
      await Promise.all([
        ...pools.map((pool) => pool.stop(reason, 0)),
        this.#oneShot?.stop(this.#config.stopGraceMs),
        this.#endpoints.stop(),
      ]);
    })();
    return this.#stopping;
  }

  /**
   * A DEPLOYMENT or REMOTE spec must be able to start here: a runtimeCommand (an image alone needs
   * the kubernetes backend) whose executable exists, a workdir inside the functions root, an env
   * a process accepts. POOL specs only need their endpointUrl, which the contracts check.
   */
  validate(spec: ResolvedFunctionSpec): void {
    if (spec.executionMode === 'POOL') {
      this.#endpoints.validate(spec);
      return;
    }
    // Checked as a function uid would see it, without allocating one for a spec not stored yet.
    const { sandbox } = this.#isolation;
    const probe: IsolationContext = { sandbox, uidOf: () => this.#config.uidRange.first };
    const plan = planLaunch(spec, this.#config, this.#envSource, probe);
    if (!plan.ok) throw validationFailed([plan.issue]);
  }

  async ensureFunction(fn: DeployedFunction): Promise<void> {
    const issues = validateLocalFunctionSpec(fn.spec, this.#config);
    if (issues.length > 0) {
      const [issue] = issues;
      throw new PlatformError('VALIDATION_FAILED', `field "workdir": ${issue?.message}`, { issues });
    }
    if (this.#stopping !== undefined) return;
    this.#removed.delete(fn.spec.name);
    if (fn.spec.executionMode === 'POOL') {
      await this.#retireInstances(fn.spec.name, fn.spec.timeoutMs);
      await this.#endpoints.ensureFunction(fn);
      return;
    }
    await this.#endpoints.removeFunction(fn.spec.name);
    this.#deploy(fn);
  }

  /** A function that became POOL: its own processes (replicas, runs) are no longer wanted. */
  async #retireInstances(name: string, drainMs: number): Promise<void> {
    this.#functions.delete(name);
    const pool = this.#pools.get(name);
    this.#pools.delete(name);
    const reason = errorInfo('FUNCTION_UNAVAILABLE', `"${name}" now runs as POOL`);
    await pool?.stop(reason, drainMs);
  }

  async removeFunction(name: string): Promise<void> {
    const drainMs = this.#functions.get(name)?.fn.spec.timeoutMs ?? this.#config.stopGraceMs;
    this.#functions.delete(name);
    this.#removed.add(name);
    const pool = this.#pools.get(name);
    this.#pools.delete(name);
    const reason = errorInfo('FUNCTION_DELETED', `"${name}" was deleted`);
    await Promise.all([
      pool?.stop(reason, drainMs),
      this.#oneShot?.stopRuns(name, this.#config.stopGraceMs),
      this.#endpoints.removeFunction(name),
    ]);
    this.metrics.forget(name);
    this.#uids.release(name);
  }

  async scaleFunction(name: string, replicas: number | null): Promise<void> {
    this.#pools.get(name)?.pin(replicas);
    await this.#endpoints.scaleFunction(name, replicas);
  }

  /** Processes die with their control plane, so there is nothing to adopt: only orphans to remove. */
  async reconcile(desired: readonly DeployedFunction[]): Promise<void> {
    const wanted = new Set(desired.map((fn) => fn.spec.name));
    const orphans = [...this.#functions.keys(), ...this.#pools.keys()].filter((name) => !wanted.has(name));
    await Promise.all([...new Set(orphans)].map((name) => this.removeFunction(name)));
    for (const fn of desired) {
      const known = this.#functions.get(fn.spec.name);
      if (known === undefined || known.fn.revision < fn.revision) await this.ensureFunction(fn);
    }
  }

  async invoke(fn: DeployedFunction, dispatch: Dispatch): Promise<DispatchResult> {
    try {
      return await this.#invoke(fn, dispatch);
    } catch (error) {
      // invoke never rejects (Backend contract): an unexpected failure is a platform error.
      const message = error instanceof Error ? error.message : String(error);
      this.#log(`local backend: invoke of "${fn.spec.name}" failed unexpectedly: ${message}`);
      return { ok: false, error: errorInfo('INTERNAL_ERROR', message), coldStart: false };
    }
  }

  async #invoke(fn: DeployedFunction, dispatch: Dispatch): Promise<DispatchResult> {
    if (this.#stopping !== undefined || this.#oneShot === undefined) {
      const reason =
        this.#stopping === undefined
          ? 'the local backend has not started'
          : 'the control plane is shutting down';
      return { ok: false, error: errorInfo('SHUTTING_DOWN', reason), coldStart: false };
    }
    if (this.#removed.has(fn.spec.name)) {
      return {
        ok: false,
        error: errorInfo('FUNCTION_DELETED', `"${fn.spec.name}" was deleted`),
        coldStart: false,
      };
    }
    if (fn.spec.executionMode === 'POOL') return this.#endpoints.invoke(fn, dispatch);
    const known = this.#functions.get(fn.spec.name);
    if (known === undefined || known.fn.revision < fn.revision) this.#deploy(fn);
    if (fn.spec.executionMode === 'REMOTE') {
      const entry = this.#functions.get(fn.spec.name);
      const plan = entry?.plan ?? this.#plan(fn);
      if (!plan.ok) return { ok: false, error: plan.error, coldStart: false };
      return explainMemoryKill(fn, await this.#oneShot.run(fn, plan.plan, dispatch));
    }
    const pool = this.#pools.get(fn.spec.name);
    if (pool === undefined) {
      return {
        ok: false,
        error: errorInfo('FUNCTION_DELETED', `"${fn.spec.name}" was deleted`),
        coldStart: false,
      };
    }
    return explainMemoryKill(fn, await pool.invoke(dispatch));
  }

  describeFunction(name: string): FunctionStatus | undefined {
    const endpoint = this.#endpoints.describeFunction(name);
    if (endpoint !== undefined) return endpoint;
    const status = this.#describe(name);
    return status === undefined ? undefined : { ...status, isolation: this.#isolation.sandbox.level };
  }

  #describe(name: string): FunctionStatus | undefined {
    const pool = this.#pools.get(name);
    if (pool !== undefined) return pool.describe();
    const entry = this.#functions.get(name);
    if (entry === undefined) return undefined;
    if (!entry.plan.ok)
      return { state: 'failed', replicas: 0, readyReplicas: 0, message: entry.plan.error.message };
    const running = this.#oneShot?.runningCount(name) ?? 0;
    return {
      state: 'ready',
      replicas: 0,
      readyReplicas: 0,
      message: `one-shot runs (REMOTE): ${running} running`,
      ...{ runningRuns: running },
    };
  }

  /** Prometheus text of the backend's own metrics. */
  renderMetrics(): string {
    return this.metrics.render();
  }

  collectMetrics(lines: string[]): void {
    lines.push(...this.metrics.render().trimEnd().split('\n'));
  }

  #deploy(fn: DeployedFunction): void {
    const name = fn.spec.name;
    const plan = this.#plan(fn);
    this.#functions.set(name, { fn, plan });
    const pool = this.#pools.get(name);
    if (fn.spec.executionMode === 'REMOTE') {
      if (pool !== undefined) {
        this.#pools.delete(name);
        void pool.stop(errorInfo('FUNCTION_UNAVAILABLE', `"${name}" now runs as REMOTE`), fn.spec.timeoutMs);
      }
      return;
    }
    if (pool !== undefined) {
      pool.update(fn);
      return;
    }
    const created = new ReplicaPool(fn, this.#poolDeps());
    this.#pools.set(name, created);
    created.start();
  }

  #sharedDeps() {
    return {
      config: this.#config,
      clock: this.#clock,
      launcher: this.#launcher,
      ports: this.#ports,
      memory: this.#memory,
      metrics: this.metrics,
      ...(this.#logs === undefined ? {} : { logs: this.#logs }),
      sandbox: this.#isolation.sandbox,
      privatePaths: this.#config.privatePaths,
      maskedPaths: this.#maskedPaths(),
    };
  }

  /** Functions that share the control plane's uid would otherwise read its user's files (HOME). */
  #maskedPaths(): string[] {
    const home = this.#envSource['HOME'];
    if (this.#isolation.sandbox.separateUids || home === undefined || home === '/' || home === '') return [];
    return [home];
  }

  #poolDeps(): ReplicaPoolDeps {
    return {
      ...this.#sharedDeps(),
      load: { queuedCount: (name) => this.#load.queuedCount(name) },
      planLaunch: (fn) => this.#plan(fn),
      nextInstanceId: (name) => this.#nextInstanceId(name),
      log: this.#log,
      reportState: (name, status) => this.#reportState?.(name, status),
    };
  }

  #nextInstanceId(functionName: string): string {
    this.#instanceSequence++;
    return `${functionName}-${process.pid.toString(36)}-${this.#instanceSequence}`;
  }
}

/** A function killed by SIGKILL under a memory limit was most likely killed for exceeding it: say so. */
function explainMemoryKill(fn: DeployedFunction, result: DispatchResult): DispatchResult {
  const memory = fn.spec.resources?.memory;
  if (result.ok || memory === undefined || result.error.code !== 'FUNCTION_FAILED') return result;
  if (!/SIGKILL|signal 9/.test(result.error.message)) return result;
  const message = `${result.error.message} (resources.memory is ${memory}: the kernel kills a function that uses more)`;
  return { ...result, error: { ...result.error, message } };
}
