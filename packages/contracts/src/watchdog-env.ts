/**
 * Environment variables of the watchdog (spec: "Variabili d'ambiente iniettate nel pod", plus the
 * extensions documented in watchdog/README.md). The backends build pods and processes from these.
 */
export const WatchdogEnv = Object.freeze({
  functionName: 'FUNCTION_NAME',
  executionId: 'EXECUTION_ID',
  callbackUrl: 'CALLBACK_URL',
  invocationPayload: 'INVOCATION_PAYLOAD',
  invocationPayloadFile: 'INVOCATION_PAYLOAD_FILE',
  timeoutMs: 'TIMEOUT_MS',
  executionMode: 'EXECUTION_MODE',
  watchdogCmd: 'WATCHDOG_CMD',
  traceId: 'TRACE_ID',
  warm: 'WARM',
  port: 'PORT',
  host: 'HOST',
  runtimePort: 'RUNTIME_PORT',
  runtimeUrl: 'RUNTIME_URL',
  healthUrl: 'HEALTH_URL',
  inputFile: 'INPUT_FILE',
  outputFile: 'OUTPUT_FILE',
  callbackToken: 'CALLBACK_TOKEN',
  maxInflight: 'MAX_INFLIGHT',
  maxOutputBytes: 'MAX_OUTPUT_BYTES',
  healthIntervalMs: 'HEALTH_INTERVAL_MS',
  healthTimeoutMs: 'HEALTH_TIMEOUT_MS',
  killGraceMs: 'KILL_GRACE_MS',
  parentDeathSignal: 'PARENT_DEATH_SIGNAL',
});

export type WatchdogEnvName = (typeof WatchdogEnv)[keyof typeof WatchdogEnv];
