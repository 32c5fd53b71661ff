import { readdirSync, readFileSync } from 'node:fs';

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
