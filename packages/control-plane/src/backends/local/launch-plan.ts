import { type ErrorInfo, errorInfo, type ResolvedFunctionSpec } from '@nanofaas/contracts';
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
  | { readonly ok: false; readonly error: ErrorInfo };

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
      `runtimeCommand is required to run "${spec.name}" on the local backend (image-only specs need the kubernetes backend)`,
    );
  }
  const workdir = resolveWorkdir(config.functionsRoot, spec.workdir);
  if (!workdir.ok) return spawnFailed(`workdir ${workdir.issue.message}`);
  const nul = Object.entries(spec.env ?? {}).find(([, value]) => value.includes('\0'));
  if (nul !== undefined)
    return spawnFailed(`env.${nul[0]} contains a NUL character, which no process accepts`);
  if (spec.runtimeCommand.includes('\0')) return spawnFailed('runtimeCommand contains a NUL character');
  const baseEnv = functionBaseEnvironment(spec, config.envPassthrough, envSource);
  const problem = explainUnrunnableCommand(spec.runtimeCommand, workdir.path, baseEnv['PATH']);
  if (problem !== undefined) return spawnFailed(problem);
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

function spawnFailed(message: string): LaunchPlanResult {
  return { ok: false, error: errorInfo('SPAWN_FAILED', message) };
}
