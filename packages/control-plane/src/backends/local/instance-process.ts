import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../deps/clock.js';
import type { FunctionLogSink } from '../function-log-sink.js';
import { parseWatchdogLogLine } from '../watchdog-log-line.js';
import { type FunctionSandbox, sandboxedWatchdogPid } from './function-sandbox.js';
import type { InstanceIsolation } from './launch-plan.js';
import type { MemoryLimiter } from './memory-limit.js';
import { wrapCommand } from './memory-limit.js';
import { sweepInstance } from './orphan-sweeper.js';
import type { ExitStatus, LaunchedProcess, ProcessLauncher } from './process-launcher.js';

/** What one watchdog process of a function (a warm replica or a one-shot run) needs to start. */
export interface InstanceLaunch {
  readonly instanceId: string;
  /** The function the instance runs: its log lines are filed under this name. */
  readonly functionName: string;
  readonly watchdogPath: string;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly label: string;
  readonly scratchDir: string;
  /** `resources.memory` in bytes, when the spec sets it. */
  readonly memoryBytes: number | undefined;
  readonly isolation: InstanceIsolation;
}

export interface InstanceDeps {
  readonly clock: Clock;
  readonly launcher: ProcessLauncher;
  readonly memory: MemoryLimiter;
  /** Receives what the function writes (the log API); nothing is kept when absent. */
  readonly logs?: FunctionLogSink;
  readonly sandbox: FunctionSandbox;
  /** Paths no function may see (the data dir). */
  readonly privatePaths: readonly string[];
  /** Shown as empty directories, with only what a function needs mounted back (sandbox-mounts.ts). */
  readonly maskedPaths: readonly string[];
}

/** Scratch directories are `<tmpdir>/nanofaas-instance-<instance id>-<random>`. */
export const SCRATCH_DIR_PREFIX = 'nanofaas-instance-';

/**
 * A private directory (mode 0700) for one instance's FILE-mode files and payload, owned by the
 * function's own uid when it has one.
 */
export function createScratchDir(instanceId: string, isolation: InstanceIsolation): string {
  const dir = mkdtempSync(join(tmpdir(), `${SCRATCH_DIR_PREFIX}${instanceId}-`));
  try {
    giveToFunction(dir, isolation);
  } catch (error) {
    // Nobody else knows the directory yet.
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return dir;
}

/** Hands a file the control plane wrote (the scratch dir, a payload file) to the function's uid. */
export function giveToFunction(path: string, isolation: InstanceIsolation): void {
  const { uid, gid } = isolation.identity;
  if (uid !== undefined && gid !== undefined) chownSync(path, uid, gid);
}

/**
 * Starts the watchdog for one instance, inside its memory cgroup when limits are enforced. Its
 * `exited` promise resolves only after the instance is cleaned up: leftover function processes
 * killed (a watchdog killed by a signal cannot stop its child), cgroup and scratch dir removed.
 */
export function launchInstance(launch: InstanceLaunch, deps: InstanceDeps): LaunchedProcess {
  let cgroup: ReturnType<MemoryLimiter['create']> | undefined;
  let launched: LaunchedProcess;
  const { sandbox } = deps;
  try {
    cgroup =
      launch.memoryBytes === undefined
        ? undefined
        : deps.memory.create(`nanofaas-${launch.instanceId}`, launch.memoryBytes);
    const isolated = sandbox.wrap(launch.watchdogPath, [], {
      identity: launch.isolation.identity,
      cwd: launch.cwd,
      paths: {
        needed: launch.isolation.neededPaths,
        scratchDir: launch.scratchDir,
        hidden: deps.privatePaths,
        masked: deps.maskedPaths,
      },
    });
    const argv = cgroup === undefined ? isolated : wrapCommand(cgroup, isolated.command, isolated.args);
    // An isolated function's HOME and TMPDIR are its own: the scratch dir and the private /tmp.
    const env =
      sandbox.level === 'none'
        ? launch.env
        : {
            ...launch.env,
            HOME: launch.scratchDir,
            TMPDIR: sandbox.level === 'namespaces' ? '/tmp' : launch.scratchDir,
          };
    launched = deps.launcher.launch({
      command: argv.command,
      args: argv.args,
      env,
      cwd: launch.cwd,
      label: launch.label,
      ...(sandbox.level === 'namespaces' ? { drainPid: sandboxedWatchdogPid } : {}),
    });
  } catch (error) {
    // Nothing started: nothing else would remove what was made for it.
    cgroup?.remove();
    rmSync(launch.scratchDir, { recursive: true, force: true });
    throw error;
  }
  const logs = deps.logs;
  if (logs !== undefined) {
    launched.onStderrLine((raw) => {
      // Cheap test first: most lines are the watchdog's routine info lines, at request rate.
      if (!mayConcernFunction(raw)) return;
      const parsed = parseWatchdogLogLine(raw);
      if (parsed !== undefined)
        logs.append({ ...parsed, functionName: launch.functionName, instance: launch.label });
    });
  }
  const exited = launched.exited.then((status: ExitStatus) => {
    if (status.signal !== null || status.code !== 0) sweepInstance(launch.instanceId);
    if (cgroup !== undefined) {
      cgroup.remove();
      // Killed processes may take a moment to leave the cgroup.
      deps.clock.setTimer(() => cgroup.remove(), 1_000);
    }
    rmSync(launch.scratchDir, { recursive: true, force: true });
    return status;
  });
  return {
    pid: launched.pid,
    exited,
    hasExited: launched.hasExited,
    stderrTail: launched.stderrTail,
    onStderrLine: launched.onStderrLine,
    signalGroup: launched.signalGroup,
    async stop(graceMs) {
      await launched.stop(graceMs);
      return exited;
    },
  };
}

function mayConcernFunction(raw: string): boolean {
  return (
    raw.includes('"function output"') || raw.includes('"level":"warn"') || raw.includes('"level":"error"')
  );
}
