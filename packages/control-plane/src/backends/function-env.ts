import { type ResolvedFunctionSpec, WatchdogEnv } from '@nanofaas/contracts';

/**
 * The spec's env tables ("Variabili d'ambiente iniettate nel pod"), shared by every backend: what
 * a function's warm instance and one-shot run are told, before each backend adds the settings of
 * its own (ports and scratch files on this machine; nothing more on Kubernetes).
 */

/** Table "Pod Deployment (warm)": FUNCTION_NAME, WARM, TIMEOUT_MS, EXECUTION_MODE, WATCHDOG_CMD. */
export function warmFunctionEnv(spec: ResolvedFunctionSpec): Record<string, string> {
  return {
    [WatchdogEnv.functionName]: spec.name,
    [WatchdogEnv.warm]: 'true',
    [WatchdogEnv.timeoutMs]: String(spec.timeoutMs),
    [WatchdogEnv.executionMode]: spec.runtimeMode,
    // Without a runtimeCommand the image serves /invoke itself (spec, "Approccio 1").
    ...(spec.runtimeCommand !== undefined ? { [WatchdogEnv.watchdogCmd]: spec.runtimeCommand } : {}),
  };
}

/** One run of a one-shot (REMOTE) function. */
export interface OneShotRun {
  readonly executionId: string;
  readonly callbackUrl: string;
  readonly timeoutMs: number;
  readonly traceId: string;
}

/**
 * Table "Pod Job (one-shot)" without INVOCATION_PAYLOAD and CALLBACK_TOKEN, which each backend
 * passes its own way (inline, in a file, from a Secret): FUNCTION_NAME, EXECUTION_ID, CALLBACK_URL,
 * TIMEOUT_MS, EXECUTION_MODE, WATCHDOG_CMD, TRACE_ID.
 */
export function oneShotFunctionEnv(spec: ResolvedFunctionSpec, run: OneShotRun): Record<string, string> {
  return {
    [WatchdogEnv.functionName]: spec.name,
    [WatchdogEnv.executionId]: run.executionId,
    [WatchdogEnv.callbackUrl]: run.callbackUrl,
    [WatchdogEnv.timeoutMs]: String(Math.max(1, Math.floor(run.timeoutMs))),
    [WatchdogEnv.executionMode]: spec.runtimeMode,
    ...(spec.runtimeCommand !== undefined ? { [WatchdogEnv.watchdogCmd]: spec.runtimeCommand } : {}),
    [WatchdogEnv.traceId]: run.traceId,
  };
}
