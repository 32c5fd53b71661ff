/** Documented limits and defaults of a FunctionSpec (docs/configuration.md, openapi.yaml). */
export const FunctionLimits = Object.freeze({
  maxTimeoutMs: 15 * 60 * 1000,
  maxConcurrency: 1000,
  maxRetries: 10,
  maxQueueSize: 100_000,
  maxReplicas: 100,
  maxEnvEntries: 256,
  maxEnvValueBytes: 32 * 1024,
  /**
   * All of `env` (names, values, '=' and NUL of each entry): Linux refuses an exec whose
   * environment and arguments pass ARG_MAX (2 MiB with the default stack), and the platform adds
   * its own variables (up to INVOCATION_PAYLOAD) beside these.
   */
  maxEnvTotalBytes: 512 * 1024,
  /** Smallest `resources.memory` a function can start in (the watchdog alone needs ~2 MiB). */
  minMemoryBytes: 4 * 1024 * 1024,
  maxIdleTimeoutMs: 24 * 60 * 60 * 1000,
});

export const FunctionDefaults = Object.freeze({
  timeoutMs: 30_000,
  concurrency: 4,
  maxRetries: 3,
  queueSize: 100,
  executionMode: 'DEPLOYMENT' as const,
  runtimeMode: 'HTTP' as const,
  scaling: Object.freeze({
    strategy: 'INTERNAL' as const,
    minReplicas: 1,
    maxReplicas: 4,
    idleTimeoutMs: 5 * 60 * 1000,
  }),
});

/** Largest request body the control plane and runtimes accept by default (6 MiB). */
export const DEFAULT_MAX_BODY_BYTES = 6 * 1024 * 1024;

/** Limits of every JSON document that crosses the platform's edges (bodies, function answers). */
export const JsonLimits = Object.freeze({
  /**
   * Arrays and objects nested in one document. Deeper input is refused (400) before it can reach a
   * recursive parser or serialiser anywhere on its way; deeper output is INVALID_OUTPUT.
   */
  maxDepth: 1000,
});
