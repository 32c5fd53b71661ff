import { join } from 'node:path';
import { type ResolvedFunctionSpec, WatchdogEnv } from '@nanofaas/contracts';
import { oneShotFunctionEnv, warmFunctionEnv } from '../function-env.js';
import { INSTANCE_MARKER } from './orphan-sweeper.js';

export type EnvSource = Readonly<Record<string, string | undefined>>;

/**
 * The environment every process of a function starts from: a short allow-list of the control
 * plane's own variables (PATH, HOME, LANG, …; never NANOFAAS_*, which hold API keys and database
 * paths), then the function's `env`. Nothing else of the control plane leaks into user code.
 */
export function functionBaseEnvironment(
  spec: ResolvedFunctionSpec,
  passthrough: readonly string[],
  source: EnvSource,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of passthrough) {
    const value = source[name];
    if (value !== undefined && !name.startsWith('NANOFAAS_')) env[name] = value;
  }
  return { ...env, ...(spec.env ?? {}) };
}

export interface WarmReplicaEnvironmentOptions {
  readonly base: Record<string, string>;
  readonly port: number;
  readonly runtimePort: number;
  readonly instanceId: string;
  /** Private directory for FILE-mode input/output files. */
  readonly scratchDir: string;
  readonly healthTimeoutMs: number;
}

/** Spec table "Pod Deployment (warm)" plus the watchdog's local settings (watchdog/README.md). */
export function warmReplicaEnvironment(
  spec: ResolvedFunctionSpec,
  options: WarmReplicaEnvironmentOptions,
): Record<string, string> {
  return {
    ...options.base,
    ...warmFunctionEnv(spec),
    ...localEnvironment(options.instanceId, options.scratchDir),
    [WatchdogEnv.host]: '127.0.0.1',
    [WatchdogEnv.port]: String(options.port),
    [WatchdogEnv.runtimePort]: String(options.runtimePort),
    [WatchdogEnv.maxInflight]: String(spec.concurrency),
    // Poll the runtime often while it starts: cold starts are dominated by this interval.
    [WatchdogEnv.healthIntervalMs]: '10',
    [WatchdogEnv.healthTimeoutMs]: String(options.healthTimeoutMs),
  };
}

export interface OneShotEnvironmentOptions {
  readonly base: Record<string, string>;
  readonly instanceId: string;
  readonly scratchDir: string;
  readonly executionId: string;
  readonly callbackUrl: string;
  readonly callbackToken: string;
  readonly payload: OneShotPayload;
  readonly timeoutMs: number;
  readonly traceId: string;
  /** A free port for an HTTP runtime (several one-shot runs share this machine). */
  readonly runtimePort: number;
}

/**
 * How a one-shot run gets its InvocationRequest: inline in INVOCATION_PAYLOAD, or (too large for
 * one environment variable) in a file named by INVOCATION_PAYLOAD_FILE.
 */
export type OneShotPayload =
  | { readonly via: 'env'; readonly json: string }
  | { readonly via: 'file'; readonly path: string };

/** Spec table "Pod Job (one-shot)" plus CALLBACK_TOKEN (and INVOCATION_PAYLOAD_FILE for large payloads). */
export function oneShotEnvironment(
  spec: ResolvedFunctionSpec,
  options: OneShotEnvironmentOptions,
): Record<string, string> {
  return {
    ...options.base,
    ...oneShotFunctionEnv(spec, options),
    ...localEnvironment(options.instanceId, options.scratchDir),
    [WatchdogEnv.callbackToken]: options.callbackToken,
    ...payloadEnvironment(options.payload),
    [WatchdogEnv.healthIntervalMs]: '10',
    [WatchdogEnv.runtimePort]: String(options.runtimePort),
  };
}

function payloadEnvironment(payload: OneShotPayload): Record<string, string> {
  switch (payload.via) {
    case 'env':
      return { [WatchdogEnv.invocationPayload]: payload.json };
    case 'file':
      return { [WatchdogEnv.invocationPayloadFile]: payload.path };
    default: {
      const unknown: never = payload;
      throw new Error(`unexpected payload ${JSON.stringify(unknown)}`);
    }
  }
}

/** What only a process on this machine needs: private FILE-mode paths and the orphan marker. */
function localEnvironment(instanceId: string, scratchDir: string): Record<string, string> {
  return {
    [WatchdogEnv.inputFile]: join(scratchDir, 'input.json'),
    [WatchdogEnv.outputFile]: join(scratchDir, 'output.json'),
    // A control plane killed with kill -9 cannot stop its watchdogs: the kernel tells them
    // (PR_SET_PDEATHSIG) and they drain and exit as on SIGTERM, without waiting for a restart.
    [WatchdogEnv.parentDeathSignal]: 'TERM',
    [INSTANCE_MARKER]: instanceId,
  };
}
