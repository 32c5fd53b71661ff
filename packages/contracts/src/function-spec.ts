import { type Static, Type } from '@sinclair/typebox';
import { FunctionNameSchema } from './function-name.js';
import { FunctionDefaults, FunctionLimits } from './limits.js';

export const EXECUTION_MODES = ['DEPLOYMENT', 'REMOTE', 'POOL'] as const;
/**
 * How the backend runs a function: warm replicas, one run (Job) per invocation, or an HTTP
 * function that already runs at `endpointUrl` (DESIGN.md §3).
 */
export type ExecutionMode = (typeof EXECUTION_MODES)[number];

export const RUNTIME_MODES = ['HTTP', 'STDIO', 'FILE'] as const;
/** How the watchdog talks to the function's process (spec: "Modalita' di comunicazione"). */
export type RuntimeMode = (typeof RUNTIME_MODES)[number];

export const SCALING_STRATEGIES = ['INTERNAL', 'HPA', 'NONE'] as const;
export type ScalingStrategy = (typeof SCALING_STRATEGIES)[number];

const oneOf = (values: readonly string[], description: string) => ({
  description,
  errorMessage: `must be one of ${values.join(', ')}`,
});

export const ENV_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
/** Kubernetes resource quantity, e.g. "250m", "0.5", "128Mi", "1G". */
export const QUANTITY_PATTERN = '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$';

const positiveInt = (maximum: number, description: string) =>
  Type.Integer({ minimum: 1, maximum, description });

export const ScalingSchema = Type.Object(
  {
    strategy: Type.Optional(
      Type.Union(
        [Type.Literal('INTERNAL'), Type.Literal('HPA'), Type.Literal('NONE')],
        oneOf(
          SCALING_STRATEGIES,
          'INTERNAL: the platform scales; HPA: Kubernetes does; NONE: a fixed count of minReplicas.',
        ),
      ),
    ),
    minReplicas: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: FunctionLimits.maxReplicas,
        description: '0 allows scale to zero.',
      }),
    ),
    maxReplicas: Type.Optional(positiveInt(FunctionLimits.maxReplicas, 'Upper bound of replicas.')),
    targetInFlight: Type.Optional(
      positiveInt(FunctionLimits.maxConcurrency, 'In-flight requests per replica the autoscaler aims for.'),
    ),
    idleTimeoutMs: Type.Optional(
      positiveInt(FunctionLimits.maxIdleTimeoutMs, 'Idle time before scaling down to minReplicas.'),
    ),
  },
  { $id: 'Scaling', additionalProperties: false },
);

export const ResourcesSchema = Type.Object(
  {
    cpu: Type.Optional(
      Type.String({ pattern: QUANTITY_PATTERN, errorMessage: 'must be a quantity such as "250m" or "1"' }),
    ),
    memory: Type.Optional(
      Type.String({ pattern: QUANTITY_PATTERN, errorMessage: 'must be a quantity such as "128Mi" or "1Gi"' }),
    ),
  },
  { $id: 'Resources', additionalProperties: false },
);

export const EnvSchema = Type.Record(
  Type.String({ pattern: ENV_NAME_PATTERN }),
  Type.String({ maxLength: FunctionLimits.maxEnvValueBytes }),
  {
    maxProperties: FunctionLimits.maxEnvEntries,
    additionalProperties: false,
    description: 'Environment of the function process; names match [A-Za-z_][A-Za-z0-9_]*.',
    errorMessage: 'keys must be environment variable names ([A-Za-z_][A-Za-z0-9_]*) and values strings',
  },
);

export const FunctionSpecSchema = Type.Object(
  {
    name: FunctionNameSchema,
    image: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'Container image.' })),
    command: Type.Optional(
      Type.Array(Type.String({ maxLength: 4096 }), {
        maxItems: 256,
        description: 'Container command override (Kubernetes).',
      }),
    ),
    env: Type.Optional(EnvSchema),
    resources: Type.Optional(ResourcesSchema),
    timeoutMs: Type.Optional(
      positiveInt(
        FunctionLimits.maxTimeoutMs,
        `Per-invocation timeout (default ${FunctionDefaults.timeoutMs}).`,
      ),
    ),
    concurrency: Type.Optional(
      positiveInt(
        FunctionLimits.maxConcurrency,
        `In-flight invocations per replica (default ${FunctionDefaults.concurrency}).`,
      ),
    ),
    maxRetries: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: FunctionLimits.maxRetries,
        description: `Retries after the first attempt (default ${FunctionDefaults.maxRetries}).`,
      }),
    ),
    queueSize: Type.Optional(
      positiveInt(
        FunctionLimits.maxQueueSize,
        `Queued invocations before 429 (default ${FunctionDefaults.queueSize}).`,
      ),
    ),
    executionMode: Type.Optional(
      Type.Union(
        [Type.Literal('DEPLOYMENT'), Type.Literal('REMOTE'), Type.Literal('POOL')],
        oneOf(
          EXECUTION_MODES,
          'DEPLOYMENT (warm replicas, default), REMOTE (one run per invocation) or POOL (an HTTP ' +
            'function already running at endpointUrl; the default when only endpointUrl is given).',
        ),
      ),
    ),
    runtimeMode: Type.Optional(
      Type.Union(
        [Type.Literal('HTTP'), Type.Literal('STDIO'), Type.Literal('FILE')],
        oneOf(RUNTIME_MODES, 'HTTP (default), STDIO or FILE.'),
      ),
    ),
    runtimeCommand: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 4096,
        description: 'Command the watchdog runs (WATCHDOG_CMD).',
      }),
    ),
    imagePullSecrets: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { maxItems: 16 }),
    ),
    endpointUrl: Type.Optional(
      Type.String({
        pattern: '^https?://[^\\s/$.?#][^\\s]*$',
        maxLength: 2048,
        description: 'POOL: invoke an existing HTTP function at this URL (parsed as a WHATWG URL).',
        errorMessage: 'must be an http:// or https:// URL',
      }),
    ),
    workdir: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1024,
        description: 'Local backend: working directory under the functions root.',
      }),
    ),
    scaling: Type.Optional(ScalingSchema),
  },
  { $id: 'FunctionSpec', additionalProperties: false },
);
export type FunctionSpec = Static<typeof FunctionSpecSchema>;

/** A FunctionSpec with every default applied: what the platform stores and runs. */
export interface ResolvedFunctionSpec
  extends Omit<
    FunctionSpec,
    'timeoutMs' | 'concurrency' | 'maxRetries' | 'queueSize' | 'executionMode' | 'runtimeMode' | 'scaling'
  > {
  timeoutMs: number;
  concurrency: number;
  maxRetries: number;
  queueSize: number;
  executionMode: ExecutionMode;
  runtimeMode: RuntimeMode;
  scaling: {
    strategy: ScalingStrategy;
    minReplicas: number;
    maxReplicas: number;
    targetInFlight: number;
    idleTimeoutMs: number;
  };
}

/** The execution mode a spec runs in: its own, else POOL when it names only an endpoint. */
export function effectiveExecutionMode(
  spec: Pick<FunctionSpec, 'executionMode' | 'endpointUrl' | 'image' | 'runtimeCommand'>,
): ExecutionMode {
  if (spec.executionMode !== undefined) return spec.executionMode;
  const onlyEndpoint =
    spec.endpointUrl !== undefined && spec.image === undefined && spec.runtimeCommand === undefined;
  return onlyEndpoint ? 'POOL' : FunctionDefaults.executionMode;
}

/** Applies the documented defaults; the input must already have passed validation. */
export function resolveFunctionSpec(spec: FunctionSpec): ResolvedFunctionSpec {
  const concurrency = spec.concurrency ?? FunctionDefaults.concurrency;
  const scaling = spec.scaling ?? {};
  const minReplicas = scaling.minReplicas ?? FunctionDefaults.scaling.minReplicas;
  const strategy = scaling.strategy ?? FunctionDefaults.scaling.strategy;
  // NONE: a fixed count, so the autoscaler's range is that one number.
  const maxReplicas =
    strategy === 'NONE'
      ? minReplicas
      : (scaling.maxReplicas ?? Math.max(FunctionDefaults.scaling.maxReplicas, minReplicas));
  return {
    ...spec,
    timeoutMs: spec.timeoutMs ?? FunctionDefaults.timeoutMs,
    concurrency,
    maxRetries: spec.maxRetries ?? FunctionDefaults.maxRetries,
    queueSize: spec.queueSize ?? FunctionDefaults.queueSize,
    executionMode: effectiveExecutionMode(spec),
    runtimeMode: spec.runtimeMode ?? FunctionDefaults.runtimeMode,
    scaling: {
      strategy,
      minReplicas,
      maxReplicas,
      targetInFlight: scaling.targetInFlight ?? concurrency,
      idleTimeoutMs: scaling.idleTimeoutMs ?? FunctionDefaults.scaling.idleTimeoutMs,
    },
  };
}
