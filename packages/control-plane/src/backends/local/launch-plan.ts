import {
  type ErrorInfo,
  errorInfo,
  type ResolvedFunctionSpec,
  type ValidationIssue,
} from '@nanofaas/contracts';
import type { LocalBackendConfig } from '../../config/local-backend-config.js';
import { parseMemoryQuantity } from './memory-limit.js';
import { explainUnrunnableCommand } from './runtime-command.js';
import { type EnvSource, functionBaseEnvironment } from './watchdog-environment.js';
import { resolveWorkdir } from './workdir.js';

/** Everything about a spec that every instance of it shares: where and how it runs. */
export interface LaunchPlan {
  readonly cwd: string;
  readonly baseEnv: Record<string, string>;
  readonly memoryBytes: number | undefined;
}

export type LaunchPlanResult =
  | { readonly ok: true; readonly plan: LaunchPlan }
  | {
      readonly ok: false;
      /** SPAWN_FAILED, for the status and for an invoke of a function that cannot start. */
      readonly error: ErrorInfo;
      /** The same, naming the field of the spec: what `validate` refuses a spec with. */
      readonly issue: ValidationIssue;
    };

/**
 * Resolves the working directory, the environment and the memory limit of a spec, and checks that
 * its command exists, before any process starts: a spec that cannot run fails with SPAWN_FAILED
 * and a message naming the field, instead of a replica that never becomes ready.
 */
export function planLaunch(
  spec: ResolvedFunctionSpec,
  config: LocalBackendConfig,
  envSource: EnvSource,
): LaunchPlanResult {
  if (spec.runtimeCommand === undefined) {
    return spawnFailed(
      'runtimeCommand',
      'required',
      `is required to run "${spec.name}" on the local backend (image-only specs need the kubernetes backend)`,
    );
  }
  const workdir = resolveWorkdir(config.functionsRoot, spec.workdir);
  if (!workdir.ok) return spawnFailed('workdir', workdir.issue.rule, workdir.issue.message);
  const nul = Object.entries(spec.env ?? {}).find(([, value]) => value.includes('\0'));
  if (nul !== undefined) {
    return spawnFailed(`env.${nul[0]}`, 'format', 'contains a NUL character, which no process accepts');
  }
  if (spec.runtimeCommand.includes('\0')) {
    return spawnFailed('runtimeCommand', 'format', 'contains a NUL character');
  }
  const baseEnv = functionBaseEnvironment(spec, config.envPassthrough, envSource);
  const problem = explainUnrunnableCommand(spec.runtimeCommand, workdir.path, baseEnv['PATH']);
  if (problem !== undefined)
    return spawnFailed('runtimeCommand', 'exists', problem.replace(/^runtimeCommand:? /, ''));
  const memory = spec.resources?.memory;
  return {
    ok: true,
    plan: {
      cwd: workdir.path,
      baseEnv,
      memoryBytes: memory === undefined ? undefined : parseMemoryQuantity(memory),
    },
  };
}

function spawnFailed(field: string, rule: string, message: string): LaunchPlanResult {
  return {
    ok: false,
    error: errorInfo('SPAWN_FAILED', `${field} ${message}`),
    issue: { field, rule, message },
  };
}
