/**
 * The behaviour every Backend must have (STYLE.md §7). Each implementation calls
 * `describeBackendConformance` from its own test file with a harness that deploys the echo function
 * (test/fixtures/echo-server.mjs behaviour: input {echo?, sleepMs?, fail?}, output {echo, instance,
 * inFlight, attempt, executionId, traceId}).
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ExecutionMode } from '@nanofaas/contracts';
import type { Backend, DeployedFunction, Dispatch, DispatchResult } from '../src/backends/backend.js';
import { type CompletionReceiver, startCompletionReceiver } from './fixtures/completion-receiver.js';

export interface EchoFunctionOptions {
  readonly name: string;
  readonly concurrency: number;
  readonly maxReplicas: number;
  readonly timeoutMs: number;
  readonly executionMode: ExecutionMode;
  /** Default 1. */
  readonly minReplicas?: number;
  readonly env?: Record<string, string>;
}

export interface ConformanceHarness {
  /**
   * A new backend, not started. The suite starts it, and for a restart stops it as a control plane
   * that stops does and starts another over what is left (the cluster keeps its objects and Jobs).
   */
  createBackend(): Backend;
  /** A function (not yet ensured) whose instances behave as the echo server does. */
  echoFunction(options: EchoFunctionOptions): Promise<DeployedFunction>;
  /** Removes what the harness created and checks what it must of it (the backend is stopped). */
  cleanup?(): Promise<void>;
}

export interface ConformanceOptions {
  /** Execution modes the backend supports; REMOTE runs get a real loopback completion channel. */
  readonly modes?: readonly ExecutionMode[];
  /**
   * False for a backend that only routes to an endpoint running elsewhere (POOL): the cases about
   * the instances it would start (revision roll, cold start, crash restart) are skipped.
   */
  readonly runsInstances?: boolean;
  /** Where the REMOTE completion receiver listens (runs must reach it); default 127.0.0.1. */
  readonly callbackHost?: () => string;
  /** Per-case timeout; default 120 s. */
  readonly timeoutMs?: number;
}

interface EchoOutput {
  echo: unknown;
  instance: string;
  inFlight: number;
  attempt: number;
  executionId: string | null;
  traceId: string | null;
  env?: string | null;
}

const GENEROUS_MS = 20_000;

export function describeBackendConformance(
  name: string,
  makeHarness: () => Promise<ConformanceHarness>,
  options: ConformanceOptions = {},
): void {
  for (const mode of options.modes ?? ['DEPLOYMENT']) {
    describe(`Backend conformance: ${name} (${mode})`, { timeout: options.timeoutMs ?? 120_000 }, () => {
      let harness: ConformanceHarness;
      let backend: Backend;
      let callbacks: CompletionReceiver;
      const startBackend = async () => {
        const started = harness.createBackend();
        await started.start({ load: { queuedCount: () => 0 } });
        return started;
      };
      const restart = async () => {
        await backend.stop();
        backend = await startBackend();
      };
      let counter = 0;
      /** Every function deployed so far, as a registry would hand them to reconcile. */
      const deployed = new Map<string, DeployedFunction>();
      const deploy = async (overrides: Partial<EchoFunctionOptions> = {}) => {
        counter += 1;
        const fn = await harness.echoFunction({
          name: `conf-${mode.toLowerCase()}-${counter}`,
          concurrency: 4,
          maxReplicas: 1,
          timeoutMs: 10_000,
          executionMode: mode,
          ...overrides,
        });
        await backend.ensureFunction(fn);
        deployed.set(fn.spec.name, fn);
        return fn;
      };
      const invoke = (fn: DeployedFunction, input: unknown, extra: Partial<DispatchOptions> = {}) =>
        backend.invoke(fn, makeDispatch(fn, input, mode === 'REMOTE' ? callbacks : undefined, extra));
      /** Invokes until it succeeds (a crashed or rolling instance may fail a few), within GENEROUS_MS. */
      const invokeUntilOk = async (fn: DeployedFunction, input: unknown): Promise<EchoOutput> => {
        const until = Date.now() + GENEROUS_MS;
        let last: DispatchResult | undefined;
        while (Date.now() < until) {
          last = await invoke(fn, input);
          if (last.ok) return JSON.parse(last.output.toString()) as EchoOutput;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.fail(`never succeeded: ${JSON.stringify(last)}`);
      };
      const deployment = mode === 'DEPLOYMENT';
      const runsInstances = options.runsInstances ?? true;

      before(async () => {
        harness = await makeHarness();
        backend = await startBackend();
        callbacks = await startCompletionReceiver(options.callbackHost?.());
      });
      after(async () => {
        await backend?.stop();
        await harness?.cleanup?.();
        await callbacks?.close();
      });

      it('invokes a function and returns its output, with the dispatch headers', async () => {
        const fn = await deploy();
        const result = await invoke(fn, { echo: { hello: 'world' } });
        assert.equal(result.ok, true, JSON.stringify(result));
        const output = JSON.parse((result as { output: Buffer }).output.toString()) as EchoOutput;
        assert.deepEqual(output.echo, { hello: 'world' });
        assert.equal(typeof result.coldStart, 'boolean');
        if (mode === 'DEPLOYMENT') {
          assert.equal(output.attempt, 1);
          assert.match(output.executionId ?? '', /^[0-9a-f-]{36}$/);
        }
      });

      it("reports the function's own error with its code and origin function", async () => {
        const fn = await deploy();
        const result = await invoke(fn, { fail: { code: 'CARD_DECLINED', message: 'no funds' } });
        assert.equal(result.ok, false);
        const { error } = result as { error: { code: string; origin?: string } };
        assert.equal(error.code, 'CARD_DECLINED');
        assert.equal(error.origin, 'function');
      });

      it('settles a slow invocation with TIMEOUT once its timeoutMs passed', async () => {
        const fn = await deploy({ timeoutMs: 400 });
        await invoke(fn, { echo: 'warm-up' });
        const started = Date.now();
        const result = await invoke(fn, { sleepMs: 30_000 }, { timeoutMs: 400 });
        assert.equal(result.ok, false);
        assert.equal((result as { error: { code: string } }).error.code, 'TIMEOUT');
        assert.ok(Date.now() - started < GENEROUS_MS, 'timeout took far too long');
      });

      it('stops an attempt when its signal aborts', async () => {
        const fn = await deploy();
        await invoke(fn, { echo: 'warm-up' });
        const controller = new AbortController();
        const started = Date.now();
        const pending = invoke(fn, { sleepMs: 30_000 }, { signal: controller.signal, timeoutMs: 60_000 });
        setTimeout(() => controller.abort(new Error('caller gave up')), 200);
        const result = await pending;
        assert.equal(result.ok, false);
        assert.ok(Date.now() - started < GENEROUS_MS, 'abort took far too long');
      });

      it('never runs more than `concurrency` invocations at once on one instance', async () => {
        const fn = await deploy({ concurrency: 2, maxReplicas: 1 });
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => invoke(fn, { echo: i, sleepMs: 150 })),
        );
        const peakByInstance = new Map<string, number>();
        for (const result of results) {
          if (!result.ok) continue;
          const output = JSON.parse(result.output.toString()) as EchoOutput;
          peakByInstance.set(
            output.instance,
            Math.max(peakByInstance.get(output.instance) ?? 0, output.inFlight),
          );
        }
        if (mode === 'DEPLOYMENT') {
          assert.equal(results.filter((r) => r.ok).length, 8, JSON.stringify(results.filter((r) => !r.ok)));
        }
        for (const [instance, peak] of peakByInstance) {
          assert.ok(peak <= 2, `instance ${instance} ran ${peak} invocations at once`);
        }
      });

      it('removeFunction stops the function: in-flight work settles and it is no longer served', async () => {
        const fn = await deploy();
        await invoke(fn, { echo: 'warm-up' });
        const inFlight = invoke(fn, { sleepMs: 1000 }, { timeoutMs: 5000 });
        await backend.removeFunction(fn.spec.name);
        deployed.delete(fn.spec.name);
        const settled = await inFlight;
        assert.equal(typeof settled.ok, 'boolean');
        const status = backend.describeFunction(fn.spec.name);
        assert.ok(status === undefined || status.readyReplicas === 0, JSON.stringify(status));
      });

      it('describes a deployed function', async () => {
        const fn = await deploy();
        await invoke(fn, { echo: 'warm-up' });
        const status = backend.describeFunction(fn.spec.name);
        assert.ok(status, 'no status for a deployed function');
        assert.ok(['pending', 'ready', 'scaled-to-zero', 'degraded'].includes(status.state));
      });

      it('rolls to a new revision: later invocations see the new spec', {
        skip: !runsInstances,
      }, async () => {
        const fn = await deploy({ env: { GREETING: 'one' } });
        assert.equal((await invokeUntilOk(fn, { env: 'GREETING' })).env, 'one');
        const next = await harness.echoFunction({
          name: fn.spec.name,
          concurrency: 4,
          maxReplicas: 1,
          timeoutMs: 10_000,
          executionMode: mode,
          env: { GREETING: 'two' },
        });
        const rolled = { spec: next.spec, revision: fn.revision + 1 };
        await backend.ensureFunction(rolled);
        deployed.set(rolled.spec.name, rolled);
        const until = Date.now() + GENEROUS_MS;
        let seen: unknown;
        while (Date.now() < until) {
          const result = await invoke(rolled, { env: 'GREETING' });
          seen = result.ok ? (JSON.parse(result.output.toString()) as EchoOutput).env : result.error;
          if (seen === 'two') break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.equal(seen, 'two');
      });

      it('pins to 0 (invocations fail at once, naming the pin) and back to N', {
        skip: !deployment,
      }, async () => {
        const fn = await deploy();
        await invokeUntilOk(fn, { echo: 'warm-up' });
        await backend.scaleFunction(fn.spec.name, 0);
        const started = Date.now();
        const pinned = await invoke(fn, { echo: 'pinned' }, { timeoutMs: 60_000 });
        assert.equal(pinned.ok, false);
        assert.equal((pinned as { error: { code: string } }).error.code, 'FUNCTION_UNAVAILABLE');
        assert.ok(Date.now() - started < GENEROUS_MS, 'a pinned function made the caller wait');
        assert.equal(backend.describeFunction(fn.spec.name)?.replicas, 0);
        await backend.scaleFunction(fn.spec.name, 1);
        assert.deepEqual((await invokeUntilOk(fn, { echo: 'back' })).echo, 'back');
        await backend.scaleFunction(fn.spec.name, null);
      });

      it('starts an instance on demand from zero and reports the cold start', {
        skip: !deployment || !runsInstances,
      }, async () => {
        const fn = await deploy({ minReplicas: 0 });
        const result = await invoke(fn, { echo: 'cold' }, { timeoutMs: GENEROUS_MS });
        assert.equal(result.ok, true, JSON.stringify(result));
        assert.equal(result.coldStart, true);
        const warm = await invoke(fn, { echo: 'warm' });
        assert.equal(warm.ok && warm.coldStart, false);
      });

      it('replaces an instance that crashed', { skip: !deployment || !runsInstances }, async () => {
        const fn = await deploy();
        await invokeUntilOk(fn, { echo: 'before' });
        const crashed = await invoke(fn, { exit: true });
        assert.equal(crashed.ok, false, 'a crash is not a success');
        // The process that crashed is replaced (a new replica, or the watchdog restarting its runtime).
        assert.equal((await invokeUntilOk(fn, { echo: 'after' })).echo, 'after');
      });

      it('serves its functions again after a restart of the backend', async () => {
        const fn = await deploy();
        await invokeUntilOk(fn, { echo: 'before' });
        await restart();
        await backend.ensureFunction(fn);
        await backend.reconcile([...deployed.values()]);
        assert.deepEqual((await invokeUntilOk(fn, { echo: 'after' })).echo, 'after');
      });

      it('recovers a run in flight across a restart: its result, or none and a new attempt runs', async () => {
        const fn = await deploy();
        await invokeUntilOk(fn, { echo: 'warm-up' });
        const dispatch = makeDispatch(
          fn,
          { echo: 'in flight', sleepMs: 1500 },
          mode === 'REMOTE' ? callbacks : undefined,
          {},
        );
        const first = backend.invoke(fn, dispatch);
        await new Promise((resolve) => setTimeout(resolve, 300));
        await restart();
        // Stopping a backend settles what it ran (a run that outlives it keeps running).
        await first;
        await backend.ensureFunction(fn);
        const recovered = backend.recoverRun
          ? await backend.recoverRun(fn, {
              ...dispatch,
              signal: new AbortController().signal,
              ...(dispatch.completion
                ? { completion: callbacks.channel(dispatch.executionId, dispatch.completion.token) }
                : {}),
            })
          : undefined;
        if (recovered !== undefined) {
          assert.equal(recovered.ok, true, JSON.stringify(recovered));
          assert.deepEqual(
            (JSON.parse((recovered as { output: Buffer }).output.toString()) as EchoOutput).echo,
            'in flight',
          );
        } else {
          const again = await invoke(fn, { echo: 'in flight' }, { attempt: 2 });
          assert.equal(again.ok, true, JSON.stringify(again));
        }
      });

      it('stop is idempotent and invoke never rejects after it', async () => {
        const fn = await deploy();
        await backend.stop();
        await backend.stop();
        const result = await invoke(fn, { echo: 'late' }, { timeoutMs: 2000 });
        assert.equal(typeof result.ok, 'boolean');
      });
    });
  }
}

interface DispatchOptions {
  timeoutMs: number;
  signal: AbortSignal;
  attempt: number;
}

function makeDispatch(
  fn: DeployedFunction,
  input: unknown,
  callbacks: CompletionReceiver | undefined,
  extra: Partial<DispatchOptions>,
): Dispatch {
  const executionId = randomUUID();
  const traceId = randomBytes(16).toString('hex');
  return {
    executionId,
    attempt: extra.attempt ?? 1,
    traceId,
    traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
    requestBody: Buffer.from(JSON.stringify({ input })),
    timeoutMs: extra.timeoutMs ?? fn.spec.timeoutMs,
    signal: extra.signal ?? new AbortController().signal,
    ...(callbacks ? { completion: callbacks.channel(executionId) } : {}),
  };
}

export type { DispatchResult };
