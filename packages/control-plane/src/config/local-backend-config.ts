import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, type EnvReader } from './env-reader.js';

/** How `resources.memory` is enforced for local processes (docs/configuration.md, "Local backend"). */
export type LocalMemoryLimitMode = 'auto' | 'cgroup' | 'off';

/** How function processes are isolated (docs/security.md, "Function isolation"). */
export type LocalIsolationMode = 'auto' | 'namespaces' | 'uid' | 'none';

/** Settings of the local backend: functions as watchdog processes on this machine. */
export interface LocalBackendConfig {
  /** The watchdog binary every replica and one-shot run executes. */
  readonly watchdogPath: string;
  /** Every function's `workdir` resolves under this directory; paths escaping it are rejected. */
  readonly functionsRoot: string;
  /** How long a new replica may take to answer GET /health with 200. */
  readonly readyTimeoutMs: number;
  /** Interval of the readiness probe against a starting replica. */
  readonly healthIntervalMs: number;
  /** After SIGTERM, how long a watchdog may drain before its process group gets SIGKILL. */
  readonly stopGraceMs: number;
  /** Interval of the autoscaler's reconcile loop. */
  readonly autoscaleIntervalMs: number;
  /** A scale-up must be recommended for this long before it happens (0: at once). */
  readonly scaleUpWindowMs: number;
  /** A scale-down (to a count above zero) must be recommended for this long; capped by idleTimeoutMs. */
  readonly scaleDownWindowMs: number;
  /** First delay before a crashed replica is replaced; doubles per consecutive failure. */
  readonly restartBackoffMs: number;
  readonly restartBackoffMaxMs: number;
  /** Consecutive failed starts (or early crashes) after which the function is marked failed. */
  readonly crashLoopThreshold: number;
  /** A replica that stayed ready this long resets the crash count when it dies. */
  readonly stableAfterMs: number;
  /** A one-shot run that exits without calling back gets this long for its callback to land. */
  readonly callbackGraceMs: number;
  /**
   * REMOTE payloads up to this size travel in INVOCATION_PAYLOAD; larger ones in a file named by
   * INVOCATION_PAYLOAD_FILE (Linux caps one environment variable at 128 KiB).
   */
  readonly payloadEnvMaxBytes: number;
  readonly memoryLimit: LocalMemoryLimitMode;
  /** Control-plane environment variables passed through to function processes (never NANOFAAS_*). */
  readonly envPassthrough: readonly string[];
  /** Register the example functions at start (NANOFAAS_EXAMPLES, default true). */
  readonly examples: boolean;
  /** NANOFAAS_LOCAL_ISOLATION: `auto` takes the strongest level this machine allows. */
  readonly isolation: LocalIsolationMode;
  /** NANOFAAS_LOCAL_UID_RANGE: the uids (and gids) functions run as when the control plane is root. */
  readonly uidRange: { readonly first: number; readonly last: number };
  /** Directories no function may see (the data dir with the database and keys). */
  readonly privatePaths: readonly string[];
  /**
   * The `nanofaas-python` command of a virtualenv with the Python runtime (NANOFAAS_EXAMPLES_PYTHON,
   * set by scripts/start.mjs): the Python examples are registered too.
   */
  readonly pythonExamplesRuntime: string | undefined;
}

/** Above systemd's ranges (DynamicUser 61184–65519, containers up to 1879048191): unused by any distribution. */
export const DEFAULT_UID_RANGE = Object.freeze({ first: 1_879_048_192, last: 1_879_113_727 });

/** Repository root seen from this file (src/config or dist/config of packages/control-plane). */
const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));

export const DEFAULT_ENV_PASSTHROUGH = Object.freeze([
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'TZ',
  'TMPDIR',
  'USER',
]);

/** Reads, validates and defaults the local backend's settings (NANOFAAS_LOCAL_*, STYLE.md §4). */
export function loadLocalBackendConfig(
  reader: EnvReader,
  cwd: string,
  privatePaths: readonly string[] = [],
): LocalBackendConfig {
  const ms = (name: string, fallback: number, min = 0) => reader.integer(name, fallback, min);
  const path = (name: string, fallback: string) => {
    const value = reader.raw(name);
    return value === undefined ? fallback : isAbsolute(value) ? value : resolve(cwd, value);
  };
  const backoff = ms('NANOFAAS_LOCAL_RESTART_BACKOFF_MS', 500, 1);
  const backoffMax = ms('NANOFAAS_LOCAL_RESTART_BACKOFF_MAX_MS', 30_000, 1);
  if (backoffMax < backoff) {
    throw new ConfigError(
      'NANOFAAS_LOCAL_RESTART_BACKOFF_MAX_MS',
      `must be at least NANOFAAS_LOCAL_RESTART_BACKOFF_MS (${backoffMax} < ${backoff})`,
    );
  }
  return Object.freeze({
    watchdogPath: path('NANOFAAS_WATCHDOG_PATH', resolve(repositoryRoot, 'watchdog/dist/watchdog')),
    functionsRoot: path('NANOFAAS_FUNCTIONS_ROOT', cwd),
    readyTimeoutMs: ms('NANOFAAS_LOCAL_READY_TIMEOUT_MS', 30_000, 1),
    healthIntervalMs: ms('NANOFAAS_LOCAL_HEALTH_INTERVAL_MS', 10, 1),
    stopGraceMs: ms('NANOFAAS_LOCAL_STOP_GRACE_MS', 5_000),
    autoscaleIntervalMs: ms('NANOFAAS_LOCAL_AUTOSCALE_INTERVAL_MS', 1_000, 10),
    scaleUpWindowMs: ms('NANOFAAS_LOCAL_SCALE_UP_WINDOW_MS', 0),
    scaleDownWindowMs: ms('NANOFAAS_LOCAL_SCALE_DOWN_WINDOW_MS', 30_000),
    restartBackoffMs: backoff,
    restartBackoffMaxMs: backoffMax,
    crashLoopThreshold: reader.integer('NANOFAAS_LOCAL_CRASH_LOOP_THRESHOLD', 5, 1),
    stableAfterMs: ms('NANOFAAS_LOCAL_STABLE_AFTER_MS', 10_000),
    callbackGraceMs: ms('NANOFAAS_LOCAL_CALLBACK_GRACE_MS', 2_000),
    payloadEnvMaxBytes: reader.integer('NANOFAAS_LOCAL_PAYLOAD_ENV_MAX_BYTES', 64 * 1024, 0, 127 * 1024),
    memoryLimit: reader.oneOf('NANOFAAS_LOCAL_MEMORY_LIMIT', ['auto', 'cgroup', 'off'] as const, 'auto'),
    envPassthrough: Object.freeze(passthrough(reader.raw('NANOFAAS_LOCAL_ENV_PASSTHROUGH'))),
    examples: reader.oneOf('NANOFAAS_EXAMPLES', ['true', 'false'] as const, 'true') === 'true',
    isolation: reader.oneOf(
      'NANOFAAS_LOCAL_ISOLATION',
      ['auto', 'namespaces', 'uid', 'none'] as const,
      'auto',
    ),
    uidRange: Object.freeze(uidRange(reader.raw('NANOFAAS_LOCAL_UID_RANGE'))),
    privatePaths: Object.freeze([...privatePaths]),
    pythonExamplesRuntime:
      reader.raw('NANOFAAS_EXAMPLES_PYTHON') === undefined ? undefined : path('NANOFAAS_EXAMPLES_PYTHON', ''),
  });
}

function uidRange(value: string | undefined): { first: number; last: number } {
  if (value === undefined) return { ...DEFAULT_UID_RANGE };
  const match = /^(\d+)-(\d+)$/.exec(value);
  const first = Number(match?.[1]);
  const last = Number(match?.[2]);
  if (!match || first < 1000 || last > 4_294_967_294 || last < first) {
    throw new ConfigError(
      'NANOFAAS_LOCAL_UID_RANGE',
      `must be "<first>-<last>" with 1000 ≤ first ≤ last ≤ 4294967294 (got "${value}")`,
    );
  }
  return { first, last };
}

function passthrough(value: string | undefined): string[] {
  if (value === undefined) return [...DEFAULT_ENV_PASSTHROUGH];
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new ConfigError(
        'NANOFAAS_LOCAL_ENV_PASSTHROUGH',
        `${JSON.stringify(name)} is not an environment variable name`,
      );
    }
    if (name.startsWith('NANOFAAS_')) {
      throw new ConfigError(
        'NANOFAAS_LOCAL_ENV_PASSTHROUGH',
        `${name}: the control plane's own NANOFAAS_* settings are never passed to functions`,
      );
    }
  }
  return names;
}
