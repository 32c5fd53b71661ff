import { statSync } from 'node:fs';
import {
  type ErrorInfo,
  errorInfo,
  type ResolvedFunctionSpec,
  type ValidationIssue,
} from '@nanofaas/contracts';
import type { LocalBackendConfig } from '../../config/local-backend-config.js';
import type { FunctionSandbox } from './function-sandbox.js';
import { parseMemoryQuantity } from './memory-limit.js';
import { commandFiles, explainUnrunnableCommand } from './runtime-command.js';
import { type FunctionIdentity, firstUnenterableAncestor } from './sandbox-mounts.js';
import { type EnvSource, functionBaseEnvironment } from './watchdog-environment.js';
import { resolveWorkdir } from './workdir.js';

/** Everything about a spec that every instance of it shares: where and how it runs. */
export interface LaunchPlan {
  readonly cwd: string;
  readonly baseEnv: Record<string, string>;
  readonly memoryBytes: number | undefined;
  /** Who the function runs as, and what its sandbox must let it reach. */
  readonly isolation: InstanceIsolation;
}

/** The part of a launch plan the sandbox reads. */
export interface InstanceIsolation {
  readonly identity: FunctionIdentity;
  /** The watchdog, the workdir and the command's files (mounted into the sandbox). */
  readonly neededPaths: readonly string[];
}

/** How the local backend isolates functions here, and which uid a function gets. */
export interface IsolationContext {
  readonly sandbox: FunctionSandbox;
  uidOf(functionName: string): number;
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
  isolationContext: IsolationContext,
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
  const isolation = planIsolation(spec, config, workdir.path, baseEnv['PATH'], isolationContext);
  if (!isolation.ok) return isolation;
  return {
    ok: true,
    plan: {
      cwd: workdir.path,
      baseEnv,
      memoryBytes: memory === undefined ? undefined : parseMemoryQuantity(memory),
      isolation: isolation.isolation,
    },
  };
}

function planIsolation(
  spec: ResolvedFunctionSpec,
  config: LocalBackendConfig,
  cwd: string,
  path: string | undefined,
  context: IsolationContext,
): { ok: true; isolation: InstanceIsolation } | Extract<LaunchPlanResult, { ok: false }> {
  const { sandbox } = context;
  const identity: FunctionIdentity = sandbox.separateUids
    ? { uid: context.uidOf(spec.name), gid: context.uidOf(spec.name) }
    : { uid: undefined, gid: undefined };
  const files = commandFiles(spec.runtimeCommand ?? '', cwd, path);
  const neededPaths = [config.watchdogPath, cwd, ...files];
  if (identity.uid !== undefined) {
    // The function runs as a user of its own, so what it runs must be open to other users; a
    // clear message now instead of a replica that fails with EACCES.
    const closed: Array<[string, string, number]> = [
      [cwd, 'workdir', 0o005],
      [config.watchdogPath, 'runtimeCommand', 0o001],
      ...(files[0] === undefined
        ? []
        : ([[files[0], 'runtimeCommand', 0o001]] as Array<[string, string, number]>)),
    ];
    for (const [path, field, bits] of closed) {
      const problem = explainClosed(path, bits, identity);
      if (problem !== undefined) return spawnFailed(field, 'permissions', problem);
    }
  }
  if (sandbox.level === 'uid') {
    // Without a mount namespace nothing can be mounted back: a file under a directory the
    // function's user cannot enter (e.g. a 0700 /root) is out of its reach.
    for (const needed of neededPaths) {
      const blocked = firstUnenterableAncestor(needed, identity);
      if (blocked !== undefined) {
        const message =
          `needs ${needed}, under ${blocked}, which the function's user (uid ${identity.uid}) cannot enter; ` +
          'install bubblewrap (isolation "namespaces" mounts what a function needs), move it, or make the directory searchable';
        return spawnFailed('runtimeCommand', 'permissions', message);
      }
    }
  }
  return { ok: true, isolation: { identity, neededPaths } };
}

function spawnFailed(field: string, rule: string, message: string): Extract<LaunchPlanResult, { ok: false }> {
  return {
    ok: false,
    error: errorInfo('SPAWN_FAILED', `${field} ${message}`),
    issue: { field, rule, message },
  };
}

/** Why `path` is closed to the function's own user (it needs `bits` for "others"), or undefined. */
function explainClosed(path: string, bits: number, identity: FunctionIdentity): string | undefined {
  let mode: number;
  let owner: number;
  try {
    const stats = statSync(path);
    mode = stats.mode;
    owner = stats.uid;
  } catch {
    return undefined; // reported by the command check, or by the watchdog at start
  }
  if (owner === identity.uid || (mode & bits) === bits) return undefined;
  const needs = bits === 0o005 ? 'readable and searchable (chmod o+rx)' : 'executable (chmod o+x)';
  return (
    `${path} (mode ${(mode & 0o7777).toString(8).padStart(4, '0')}, owner uid ${owner}) must be ${needs} by ` +
    `other users: the control plane runs as root, so each function runs as a uid of its own (here ${identity.uid}); ` +
    'or set NANOFAAS_LOCAL_ISOLATION=none (docs/security.md)'
  );
}
