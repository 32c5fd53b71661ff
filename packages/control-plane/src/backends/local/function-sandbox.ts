import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { FunctionIsolation } from '@nanofaas/contracts';
import type { LocalIsolationMode } from '../../config/local-backend-config.js';
import { type FunctionIdentity, type SandboxPaths, sandboxMountArgs } from './sandbox-mounts.js';

/** The programs isolation is built from (Debian: bubblewrap, util-linux). */
export interface SandboxTools {
  readonly bwrap: string;
  readonly setpriv: string;
}

export const DEFAULT_SANDBOX_TOOLS: SandboxTools = Object.freeze({
  bwrap: '/usr/bin/bwrap',
  setpriv: '/usr/bin/setpriv',
});

/** What this machine allows, decided once at start (docs/security.md, "Function isolation"). */
export interface FunctionSandbox {
  readonly level: FunctionIsolation;
  /** One line for the start log: the level and, when it is not the strongest, why. */
  readonly description: string;
  /** True when every function gets a uid of its own (the control plane runs as root). */
  readonly separateUids: boolean;
  /** The command line that starts `command` isolated. */
  wrap(command: string, args: readonly string[], launch: SandboxLaunch): { command: string; args: string[] };
}

export interface SandboxLaunch {
  readonly identity: FunctionIdentity;
  readonly paths: SandboxPaths;
  readonly cwd: string;
}

/** Runs a probe command; injected so detection is testable. */
export type ProbeRunner = (command: string, args: readonly string[]) => boolean;

const runProbe: ProbeRunner = (command, args) => {
  const result = spawnSync(command, [...args], { stdio: 'ignore', timeout: 10_000 });
  return result.status === 0;
};

/**
 * Decides how functions are isolated here. `auto` takes the strongest level the kernel and the
 * installed tools allow: namespaces (bubblewrap: own PID and mount namespace, private /tmp, no data
 * dir), plus a uid of its own per function when running as root; `uid` alone when bubblewrap cannot
 * run; `none` when neither works (an unprivileged control plane without user namespaces). An
 * explicit level that is not available fails the start: a weaker one is never used silently.
 */
export function detectSandbox(
  mode: LocalIsolationMode,
  options: { root: boolean; tools?: SandboxTools; probe?: ProbeRunner },
): FunctionSandbox {
  const tools = options.tools ?? DEFAULT_SANDBOX_TOOLS;
  const probe = options.probe ?? runProbe;
  const root = options.root;
  if (mode === 'none')
    return noSandbox('off (NANOFAAS_LOCAL_ISOLATION=none): functions run as the control plane user');
  const setprivWorks = probe(tools.setpriv, ['--no-new-privs', '--', 'true']);
  const namespacesWork =
    mode !== 'uid' &&
    setprivWorks &&
    probe(tools.bwrap, [...namespaceFlags(root), '--ro-bind', '/', '/', '--proc', '/proc', '--', 'true']);
  if (namespacesWork) return namespaceSandbox(tools, root);
  const why = !setprivWorks
    ? `${tools.setpriv} cannot run (util-linux)`
    : `${tools.bwrap} cannot create namespaces here (install bubblewrap; unprivileged user namespaces may be off)`;
  if (mode === 'namespaces') throw new Error(`NANOFAAS_LOCAL_ISOLATION=namespaces: ${why}`);
  if (root && setprivWorks) return uidSandbox(tools, `uid only: ${why}`);
  if (mode === 'uid') {
    throw new Error(`NANOFAAS_LOCAL_ISOLATION=uid: ${root ? why : 'needs the control plane to run as root'}`);
  }
  return noSandbox(`none: ${why}; functions run as the control plane user`);
}

function namespaceFlags(root: boolean): string[] {
  // As root, bubblewrap needs no user namespace; unprivileged, the user namespace is what lets it
  // make the others (and maps the function to the same uid).
  return [
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    ...(root ? [] : ['--unshare-user']),
    '--die-with-parent',
  ];
}

function namespaceSandbox(tools: SandboxTools, root: boolean): FunctionSandbox {
  return {
    level: 'namespaces',
    separateUids: root,
    description: root
      ? 'namespaces: a uid of its own per function, own PID and mount namespace (bubblewrap), no_new_privs'
      : 'namespaces: own PID and mount namespace (bubblewrap, user namespace), no_new_privs; functions share the control plane uid (run it as root for a uid per function)',
    wrap(command, args, launch) {
      return {
        command: tools.bwrap,
        args: [
          ...namespaceFlags(root),
          ...sandboxMountArgs(launch.paths, launch.identity),
          '--chdir',
          launch.cwd,
          '--',
          ...setprivArgs(tools, launch.identity),
          command,
          ...args,
        ],
      };
    },
  };
}

function uidSandbox(tools: SandboxTools, description: string): FunctionSandbox {
  return {
    level: 'uid',
    separateUids: true,
    description,
    wrap(command, args, launch) {
      return {
        command: tools.setpriv,
        args: [...setprivArgs(tools, launch.identity).slice(1), command, ...args],
      };
    },
  };
}

function noSandbox(description: string): FunctionSandbox {
  return {
    level: 'none',
    separateUids: false,
    description,
    wrap: (command, args) => ({ command, args: [...args] }),
  };
}

/** `setpriv …  --`: drop to the function's uid and gid with no supplementary groups, and no_new_privs. */
function setprivArgs(tools: SandboxTools, identity: FunctionIdentity): string[] {
  const ids =
    identity.uid === undefined || identity.gid === undefined
      ? []
      : [`--reuid=${identity.uid}`, `--regid=${identity.gid}`, '--clear-groups'];
  return [tools.setpriv, ...ids, '--no-new-privs', '--'];
}

/**
 * The pid that drains on SIGTERM inside a bubblewrap sandbox: bwrap (the launched process) → its
 * init in the new PID namespace → the watchdog. bwrap itself dies of SIGTERM and takes the sandbox
 * with it, so a graceful stop signals the watchdog alone; SIGKILL still goes to the whole group.
 */
export function sandboxedWatchdogPid(bwrapPid: number): number | undefined {
  const init = firstChild(bwrapPid);
  return init === undefined ? undefined : firstChild(init);
}

function firstChild(pid: number): number | undefined {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
    const first = Number(children[0]);
    return Number.isInteger(first) && first > 0 ? first : undefined;
  } catch {
    return undefined;
  }
}
