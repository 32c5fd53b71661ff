import { rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ErrorInfo, errorInfo } from '@nanofaas/contracts';
import type { LocalBackendConfig } from '../../config/local-backend-config.js';
import type { Clock } from '../../deps/clock.js';
import type { DeployedFunction, Dispatch, DispatchResult, RunCompletion } from '../backend.js';
import { cancelled } from '../function-http-client.js';
import { createScratchDir, giveToFunction, type InstanceDeps, launchInstance } from './instance-process.js';
import type { LaunchPlan } from './launch-plan.js';
import type { LocalBackendMetrics } from './local-backend-metrics.js';
import type { PortAllocator } from './port-allocator.js';
import { describeExit, type ExitStatus, type LaunchedProcess } from './process-launcher.js';
import { type OneShotPayload, oneShotEnvironment } from './watchdog-environment.js';

/** Name of the payload file in a one-shot run's scratch directory. */
const PAYLOAD_FILE_NAME = 'payload.json';

export interface OneShotRunnerDeps extends InstanceDeps {
  readonly config: LocalBackendConfig;
  readonly ports: PortAllocator;
  readonly clock: Clock;
  readonly metrics: LocalBackendMetrics;
  nextInstanceId(functionName: string): string;
}

type Settlement =
  | { readonly kind: 'callback'; readonly body: RunCompletion }
  | { readonly kind: 'exit'; readonly status: ExitStatus }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'aborted' };

/**
 * REMOTE on the local backend (spec: "ONE-SHOT"): each attempt is one watchdog process with the
 * Job env of the spec (EXECUTION_ID, CALLBACK_URL, CALLBACK_TOKEN, INVOCATION_PAYLOAD or, for large
 * payloads, INVOCATION_PAYLOAD_FILE, TIMEOUT_MS, TRACE_ID, …). The result is whatever the run posts
 * to the completion callback; a run that exits without calling back (within a short grace) fails
 * the attempt with RUN_LOST, which is retryable.
 */
export class OneShotRunner {
  readonly #deps: OneShotRunnerDeps;
  /** Live runs and the function each belongs to. */
  readonly #running = new Map<LaunchedProcess, string>();
  #stopping = false;

  constructor(deps: OneShotRunnerDeps) {
    this.#deps = deps;
  }

  /** Runs currently alive (for status). */
  runningCount(functionName?: string): number {
    if (functionName === undefined) return this.#running.size;
    return [...this.#running.values()].filter((name) => name === functionName).length;
  }

  async run(fn: DeployedFunction, plan: LaunchPlan, dispatch: Dispatch): Promise<DispatchResult> {
    const failure = (error: ErrorInfo): DispatchResult => ({ ok: false, error, coldStart: true });
    const completion = dispatch.completion;
    if (completion === undefined) {
      return failure(
        errorInfo('INTERNAL_ERROR', `REMOTE dispatch of "${fn.spec.name}" has no completion channel`),
      );
    }
    if (this.#stopping) return failure(errorInfo('SHUTTING_DOWN', 'the local backend is stopping'));
    if (dispatch.signal.aborted) return failure(cancelled(dispatch.signal.reason));
    const instanceId = this.#deps.nextInstanceId(fn.spec.name);
    const scratchDir = createScratchDir(instanceId, plan.isolation);
    const payload = await this.#preparePayload(dispatch.requestBody, scratchDir, plan);
    if (!payload.ok) {
      rmSync(scratchDir, { recursive: true, force: true });
      return failure(payload.error);
    }
    let runtimePort = 1;
    try {
      if (fn.spec.runtimeMode === 'HTTP') runtimePort = await this.#deps.ports.allocate();
    } catch (error) {
      rmSync(scratchDir, { recursive: true, force: true });
      throw error;
    }
    const env = oneShotEnvironment(fn.spec, {
      base: plan.baseEnv,
      instanceId,
      scratchDir,
      executionId: dispatch.executionId,
      callbackUrl: completion.url,
      callbackToken: completion.token,
      payload: payload.payload,
      timeoutMs: dispatch.timeoutMs,
      traceId: dispatch.traceId,
      runtimePort,
    });
    const process = launchInstance(
      {
        instanceId,
        functionName: fn.spec.name,
        watchdogPath: this.#deps.config.watchdogPath,
        env,
        cwd: plan.cwd,
        label: instanceId,
        scratchDir,
        memoryBytes: plan.memoryBytes,
        isolation: plan.isolation,
      },
      this.#deps,
    );
    this.#running.set(process, fn.spec.name);
    this.#deps.metrics.countOneShotRun(fn.spec.name);
    void process.exited.then(() => this.#running.delete(process));

    const settlement = await this.#settle(process, dispatch, completion.wait());
    switch (settlement.kind) {
      case 'callback': {
        // The run exits on its own after calling back; make sure it does.
        const cancel = this.#deps.clock.setTimer(
          () => void process.stop(this.#deps.config.stopGraceMs),
          5_000,
        );
        void process.exited.then(cancel);
        const body = settlement.body;
        return body.success ? { ok: true, output: body.output, coldStart: true } : failure(body.error);
      }
      case 'exit':
        return failure(
          errorInfo(
            'RUN_LOST',
            `the one-shot run of "${fn.spec.name}" ${describeExit(settlement.status)} without reporting a result${lastLine(process)}`,
          ),
        );
      case 'timeout':
        await process.stop(this.#deps.config.stopGraceMs);
        return failure(
          errorInfo('TIMEOUT', `the one-shot run did not report within ${dispatch.timeoutMs} ms`, {
            origin: 'platform',
          }),
        );
      case 'aborted':
        await process.stop(0);
        return failure(cancelled(dispatch.signal.reason));
      default: {
        const unknown: never = settlement;
        throw new Error(`unexpected settlement ${JSON.stringify(unknown)}`);
      }
    }
  }

  /**
   * Small payloads go inline in INVOCATION_PAYLOAD; larger ones (Linux caps one environment
   * variable at 128 KiB) in `payload.json` of the run's private scratch directory, readable by
   * this user only and removed with the directory when the run ends.
   */
  async #preparePayload(
    json: Buffer,
    scratchDir: string,
    plan: LaunchPlan,
  ): Promise<{ ok: true; payload: OneShotPayload } | { ok: false; error: ErrorInfo }> {
    if (json.length <= this.#deps.config.payloadEnvMaxBytes) {
      // Valid UTF-8 (the edge checked it) without NUL (JSON text has none): a valid env value.
      return { ok: true, payload: { via: 'env', json: json.toString('utf8') } };
    }
    const path = join(scratchDir, PAYLOAD_FILE_NAME);
    try {
      await writeFile(path, json, { mode: 0o600, flag: 'wx' });
      giveToFunction(path, plan.isolation);
    } catch (error) {
      return {
        ok: false,
        error: errorInfo('SPAWN_FAILED', `cannot write the REMOTE payload file ${path}: ${String(error)}`),
      };
    }
    return { ok: true, payload: { via: 'file', path } };
  }

  /** The first of: callback, exit (plus grace for a callback in flight), timeout, abort. */
  #settle(
    process: LaunchedProcess,
    dispatch: Dispatch,
    callback: Promise<RunCompletion>,
  ): Promise<Settlement> {
    const { clock, config } = this.#deps;
    return new Promise<Settlement>((resolve) => {
      const cancels: Array<() => void> = [];
      let done = false;
      const finish = (settlement: Settlement) => {
        if (done) return;
        done = true;
        for (const cancel of cancels) cancel();
        dispatch.signal.removeEventListener('abort', onAbort);
        resolve(settlement);
      };
      callback.then(
        (body) => finish({ kind: 'callback', body }),
        () => undefined,
      );
      void process.exited.then((status) => {
        cancels.push(clock.setTimer(() => finish({ kind: 'exit', status }), config.callbackGraceMs));
      });
      // The watchdog enforces TIMEOUT_MS and reports TIMEOUT itself; this is the backstop.
      cancels.push(
        clock.setTimer(
          () => finish({ kind: 'timeout' }),
          dispatch.timeoutMs + config.callbackGraceMs + 2_000,
        ),
      );
      const onAbort = () => finish({ kind: 'aborted' });
      dispatch.signal.addEventListener('abort', onAbort, { once: true });
      // Aborted while the run was being prepared: no 'abort' event will come any more.
      if (dispatch.signal.aborted) onAbort();
    });
  }

  /** Kills every running one-shot run (of one function, or all). */
  async stopRuns(functionName: string | undefined, graceMs: number): Promise<void> {
    const runs = [...this.#running].filter(([, name]) => functionName === undefined || name === functionName);
    await Promise.all(runs.map(([run]) => run.stop(graceMs)));
  }

  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    await this.stopRuns(undefined, graceMs);
  }
}

function lastLine(process: LaunchedProcess): string {
  const lines = process
    .stderrTail()
    .split('\n')
    .filter((line) => line.trim() !== '');
  const line = lines.at(-1);
  return line === undefined ? '' : `: ${line.slice(0, 500)}`;
}
