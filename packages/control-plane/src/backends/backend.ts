import type { ErrorInfo, FunctionStatus, ResolvedFunctionSpec } from '@nanofaas/contracts';
import type { Cancellation } from './cancellation.js';
import type { FunctionAnswer } from './function-http-client.js';

/** A registered function as the scheduler hands it to a backend: the resolved spec plus its revision. */
export interface DeployedFunction {
  readonly spec: ResolvedFunctionSpec;
  /** Increments on every update; a backend rolls its instances when it changes. */
  readonly revision: number;
}

/**
 * What a one-shot run reported through its completion callback; `output` is the JSON the run
 * sent, as the bytes it sent (validated, never re-encoded).
 */
export type RunCompletion =
  | { readonly success: true; readonly output: Buffer }
  | { readonly success: false; readonly error: ErrorInfo };

/** The callback channel of a one-shot (REMOTE) run. */
export interface CompletionChannel {
  /** Full URL the run posts to: `{url}/{executionId}:complete` is built by the run (spec: CALLBACK_URL). */
  readonly url: string;
  /** Per-execution secret the run presents as `Authorization: Bearer <token>` (CALLBACK_TOKEN). */
  readonly token: string;
  /** Resolves when the control plane receives this attempt's callback. */
  wait(): Promise<RunCompletion>;
}

/** One attempt of one execution, as the scheduler dispatches it. */
export interface Dispatch {
  readonly executionId: string;
  /** 1 for the first attempt (X-Dispatch-Attempt). */
  readonly attempt: number;
  readonly traceId: string;
  readonly traceparent?: string;
  /**
   * The InvocationRequest `{"input": …, "metadata"?: …}` as JSON bytes, `input` exactly as the
   * caller sent it: send these bytes as they are (DESIGN.md §3, data is never re-encoded).
   */
  readonly requestBody: Buffer;
  /** Milliseconds left for this attempt; the backend must settle by then. */
  readonly timeoutMs: number;
  /** Fires when the caller gave up or the platform is stopping; the backend stops the attempt. */
  readonly signal: AbortSignal;
  /**
   * The same as `signal`, without an AbortController per attempt: the scheduler sets it, and its
   * `signal` is only created when read. Callers that hold only a signal leave it out.
   */
  readonly cancellation?: Cancellation;
  /** Present for REMOTE functions: where the one-shot run reports its result. */
  readonly completion?: CompletionChannel;
}

export type DispatchResult =
  | {
      readonly ok: true;
      /** The function's JSON answer as the bytes it wrote (validated: UTF-8, JSON, depth limit). */
      readonly output: Buffer;
      readonly coldStart: boolean;
      /** The runtime's start-up time, when it reported one (X-Init-Duration-Ms). */
      readonly initDurationMs?: number;
    }
  | {
      readonly ok: false;
      readonly error: ErrorInfo;
      readonly coldStart: boolean;
      readonly initDurationMs?: number;
    };

/** A function's HTTP answer as the scheduler takes it (`coldStart`: the backend started an instance for it). */
export function dispatchResultOf(answer: FunctionAnswer, coldStart = false): DispatchResult {
  const started = { coldStart: coldStart || answer.coldStart, initDurationMs: answer.initDurationMs };
  if (!answer.ok) return { ok: false, error: answer.error, ...started };
  return { ok: true, output: answer.output, ...started };
}

/** What a backend may ask the scheduler about current load (for autoscaling). */
export interface LoadProbe {
  /** Executions of this function waiting in the scheduler's queue (not yet dispatched). */
  queuedCount(functionName: string): number;
}

/** A function's state as the backend sees it, pushed when it changes (crash loop, image cannot start). */
export type StateListener = (name: string, status: FunctionStatus) => void;

export interface BackendContext {
  readonly load: LoadProbe;
  /**
   * The backend calls this when a function's state changes on its own (not in answer to a call):
   * a crash loop, an image that cannot start, an API error, recovery. The registry logs it and a
   * `failed` state fails the sync requests still queued for the function.
   */
  readonly reportState?: StateListener;
}

/**
 * Where functions run (DESIGN.md §5). One implementation per file under backends/; every
 * implementation passes test/backend-conformance.ts.
 *
 * The scheduler calls `invoke` at most `concurrency × scaling.maxReplicas` times concurrently per
 * function; the backend waits (bounded by `timeoutMs` and `signal`) for an instance with room,
 * starting one if none is running (cold start), and never sends an instance more than `concurrency`
 * requests at once. `invoke` never rejects: every failure is a DispatchResult with a catalogue code
 * (BACKEND_UNREACHABLE, RUN_LOST, TIMEOUT, …) or the function's own error.
 *
 * Readiness contract of `ensureFunction`: it resolves once the backend has accepted the function
 * (its instances exist or are being created); it does not wait for them to become ready — `invoke`
 * waits for that, bounded by its timeout, and `describeFunction` shows the progress (replicas
 * wanted / ready). It rejects only with a PlatformError for a spec the backend can never run;
 * anything that may pass (an API error, an image that cannot start yet) becomes the function's
 * state (`failed` with the cause as `message`) and is pushed through `reportState`.
 */
export interface Backend {
  readonly kind: 'pool' | 'local' | 'kubernetes';
  start(context: BackendContext): Promise<void>;
  /** Idempotent: stops every instance the backend started and waits for them. */
  stop(): Promise<void>;
  /**
   * Refuses a spec this backend could never run, before anything is stored (the registry calls it
   * on register and on update). Throws the contracts' VALIDATION_FAILED PlatformError
   * (`validationFailed(issues)`) naming each field and the reason; returns when the spec can run.
   * Starts nothing and changes no state; it may look at this machine (whether a command exists).
   */
  validate(spec: ResolvedFunctionSpec): void;
  /** Creates the function's instances, or rolls them to a new revision (readiness contract above). */
  ensureFunction(fn: DeployedFunction): Promise<void>;
  /**
   * The whole desired set of functions, after load and periodically: the backend adopts what it
   * already runs for them, creates what is missing and removes what no function owns (orphans).
   */
  reconcile(desired: readonly DeployedFunction[]): Promise<void>;
  /** Drains and removes every instance of the function. */
  removeFunction(name: string): Promise<void>;
  /** Pins the replica count (`PUT /v1/functions/{name}/replicas`); null returns to autoscaling. */
  scaleFunction(name: string, replicas: number | null): Promise<void>;
  invoke(fn: DeployedFunction, dispatch: Dispatch): Promise<DispatchResult>;
  /**
   * After a restart, for a REMOTE attempt that was running when the control plane stopped: if the
   * run is still alive (a Job survives its control plane), waits for it as `invoke` would — its
   * callback is accepted, since callback tokens survive a restart — and returns its result;
   * undefined when nothing of it is alive, and the scheduler dispatches a new attempt. `dispatch`
   * carries the old attempt's number and completion channel. Backends whose runs die with the
   * control plane leave it out.
   */
  recoverRun?(fn: DeployedFunction, dispatch: Dispatch): Promise<DispatchResult | undefined>;
  /** Live status for `GET /v1/functions/{name}`; undefined when the backend does not know it. */
  describeFunction(name: string): FunctionStatus | undefined;
  /** Optional: appends the backend's own metrics (Prometheus text lines) to GET /metrics. */
  collectMetrics?(lines: string[]): void;
}
