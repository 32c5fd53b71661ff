import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every process of a function carries `INSTANCE_MARKER=<instance id>` in its environment: the
 * watchdog passes its environment on to the function's processes, which run in process groups of
 * their own. When a watchdog dies without stopping them (kill -9, a crash), this finds and kills
 * whatever it left behind, so no function process outlives its replica or one-shot run.
 */
export const INSTANCE_MARKER = 'FAAS_INSTANCE_ID';

/** Finds processes whose environment holds `INSTANCE_MARKER=<instanceId>` (Linux /proc). */
export function findInstanceProcesses(instanceId: string, procRoot = '/proc'): number[] {
  const needle = Buffer.from(`\0${INSTANCE_MARKER}=${instanceId}\0`);
  const first = Buffer.from(`${INSTANCE_MARKER}=${instanceId}\0`);
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const environ = readFileSync(`${procRoot}/${entry}/environ`);
      if (environ.includes(needle) || environ.subarray(0, first.length).equals(first)) found.push(pid);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/** SIGKILLs every process (and its process group) left behind by the instance; returns how many. */
export function sweepInstance(instanceId: string): number {
  const pids = findInstanceProcesses(instanceId);
  const ownGroup = processGroupOf(process.pid);
  for (const pid of pids) {
    const group = processGroupOf(pid);
    if (group !== undefined && group > 1 && group !== ownGroup) tryKill(-group);
    tryKill(pid);
  }
  return pids.length;
}

function processGroupOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state, ppid, pgrp, ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const group = Number(fields[2]);
    return Number.isInteger(group) ? group : undefined;
  } catch {
    return undefined;
  }
}

function tryKill(target: number): void {
  try {
    process.kill(target, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/**
 * Kills what a control plane that died without stopping (kill -9, a crash) left running: every
 * process whose instance id names a control-plane pid that is no longer alive. Instance ids are
 * `<function>-<control plane pid in base 36>-<sequence>` (LocalBackend), so instances of other
 * control planes on this machine are left alone. Returns how many processes were killed.
 */
export function reapInstancesOfDeadControlPlanes(procRoot = '/proc'): number {
  const prefix = Buffer.from(`${INSTANCE_MARKER}=`);
  let killed = 0;
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ: Buffer;
    try {
      environ = readFileSync(`${procRoot}/${entry}/environ`);
    } catch {
      continue;
    }
    const start = environ.indexOf(prefix);
    if (start < 0 || (start > 0 && environ[start - 1] !== 0)) continue;
    const end = environ.indexOf(0, start);
    const instanceId = environ.subarray(start + prefix.length, end < 0 ? undefined : end).toString('utf8');
    const owner = ownerPidOf(instanceId);
    if (owner === undefined || isAlive(owner)) continue;
    const pid = Number(entry);
    const group = processGroupOf(pid);
    if (group !== undefined && group > 1 && group !== processGroupOf(process.pid)) tryKill(-group);
    tryKill(pid);
    killed++;
  }
  return killed;
}

/** The control-plane pid encoded in an instance id, or undefined for a foreign id. */
export function ownerPidOf(instanceId: string): number | undefined {
  const parts = instanceId.split('-');
  const encoded = parts.at(-2);
  if (parts.length < 3 || encoded === undefined || !/^[0-9a-z]+$/.test(encoded)) return undefined;
  const pid = Number.parseInt(encoded, 36);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the scratch directories (`nanofaas-instance-<id>-XXXXXX` in the temp directory) of
 * instances whose control plane is gone; returns how many. Those of live control planes stay.
 */
export function removeScratchDirsOfDeadControlPlanes(prefix: string, dir = tmpdir()): number {
  let removed = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    // mkdtemp appends six characters after the instance id and its dash.
    const instanceId = entry.slice(prefix.length, -7);
    const owner = ownerPidOf(instanceId);
    if (owner === undefined || owner === process.pid || isAlive(owner)) continue;
    rmSync(join(dir, entry), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
