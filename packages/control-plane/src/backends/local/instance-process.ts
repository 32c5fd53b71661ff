import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FunctionLogSink } from '../function-log-sink.js';
import { parseWatchdogLogLine } from '../watchdog-log-line.js';
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
}

export interface InstanceDeps {
  readonly launcher: ProcessLauncher;
  readonly memory: MemoryLimiter;
  /** Receives what the function writes (the log API); nothing is kept when absent. */
  readonly logs?: FunctionLogSink;
}

/** Scratch directories are `<tmpdir>/nanofaas-instance-<instance id>-<random>`. */
export const SCRATCH_DIR_PREFIX = 'nanofaas-instance-';

/** A private directory for one instance's FILE-mode files. */
export function createScratchDir(instanceId: string): string {
  return mkdtempSync(join(tmpdir(), `${SCRATCH_DIR_PREFIX}${instanceId}-`));
}

/**
 * Starts the watchdog for one instance, inside its memory cgroup when limits are enforced. Its
 * `exited` promise resolves only after the instance is cleaned up: leftover function processes
 * killed (a watchdog killed by a signal cannot stop its child), cgroup and scratch dir removed.
 */
export function launchInstance(launch: InstanceLaunch, deps: InstanceDeps): LaunchedProcess {
  const cgroup =
    launch.memoryBytes === undefined
      ? undefined
      : deps.memory.create(`nanofaas-${launch.instanceId}`, launch.memoryBytes);
  const argv =
    cgroup === undefined
      ? { command: launch.watchdogPath, args: [] }
      : wrapCommand(cgroup, launch.watchdogPath, []);
  const process = deps.launcher.launch({
    command: argv.command,
    args: argv.args,
    env: launch.env,
    cwd: launch.cwd,
    label: launch.label,
  });
  const logs = deps.logs;
  if (logs !== undefined) {
    process.onStderrLine((raw) => {
      // Cheap test first: most lines are the watchdog's routine info lines, at request rate.
      if (!mayConcernFunction(raw)) return;
      const parsed = parseWatchdogLogLine(raw);
      if (parsed !== undefined)
        logs.append({ ...parsed, functionName: launch.functionName, instance: launch.label });
    });
  }
  const exited = process.exited.then((status: ExitStatus) => {
    if (status.signal !== null || status.code !== 0) sweepInstance(launch.instanceId);
    if (cgroup !== undefined) {
      cgroup.remove();
      // Killed processes may take a moment to leave the cgroup.
      setTimeout(() => cgroup.remove(), 1_000).unref();
    }
    rmSync(launch.scratchDir, { recursive: true, force: true });
    return status;
  });
  return {
    pid: process.pid,
    exited,
    hasExited: process.hasExited,
    stderrTail: process.stderrTail,
    onStderrLine: process.onStderrLine,
    signalGroup: process.signalGroup,
    async stop(graceMs) {
      await process.stop(graceMs);
      return exited;
    },
  };
}

function mayConcernFunction(raw: string): boolean {
  return (
    raw.includes('"function output"') || raw.includes('"level":"warn"') || raw.includes('"level":"error"')
  );
}
