import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseQuantity } from '@nanofaas/contracts';
import type { LocalMemoryLimitMode } from '../../config/local-backend-config.js';

/**
 * `resources.memory` for local processes. RLIMIT_AS (prlimit) would cap virtual address space,
 * which Node, the JVM and Go reserve far beyond what they use, so it breaks them; a memory cgroup
 * caps what a process really uses and covers its children. The backend creates one cgroup per
 * watchdog (v2 `memory.max`, or v1 `memory.limit_in_bytes`) under its own cgroup when that is
 * writable, and the process joins it before exec (see `wrapCommand`). Elsewhere the limit is not
 * enforced and `describe()` says so (docs/configuration.md, "Local backend").
 */
export interface MemoryLimiter {
  /** Human-readable: how limits are enforced here, or why they are not. */
  describe(): string;
  readonly enforced: boolean;
  /** Creates a cgroup capped at `bytes`; undefined when limits are not enforced. */
  create(name: string, bytes: number): MemoryCgroup | undefined;
}

export interface MemoryCgroup {
  /** The file a process writes its pid to, to join the cgroup. */
  readonly procsFile: string;
  /** Removes the cgroup (after every process in it has exited). */
  remove(): void;
}

interface CgroupFlavour {
  readonly base: string;
  readonly limitFile: string;
  readonly version: 1 | 2;
}

export function createMemoryLimiter(
  mode: LocalMemoryLimitMode,
  procSelfCgroup = '/proc/self/cgroup',
): MemoryLimiter {
  if (mode === 'off') return unenforced('disabled by NANOFAAS_LOCAL_MEMORY_LIMIT=off');
  const flavour = detectCgroup(procSelfCgroup);
  if (typeof flavour === 'string') {
    if (mode === 'cgroup') {
      throw new Error(`invalid configuration: NANOFAAS_LOCAL_MEMORY_LIMIT: cgroup requested but ${flavour}`);
    }
    return unenforced(flavour);
  }
  return {
    enforced: true,
    describe: () => `cgroup v${flavour.version} ${flavour.limitFile} under ${flavour.base}`,
    create(name, bytes) {
      const dir = join(flavour.base, name);
      try {
        mkdirSync(dir);
        writeFileSync(join(dir, flavour.limitFile), String(bytes));
        if (flavour.version === 2 && existsSync(join(dir, 'memory.swap.max'))) {
          writeFileSync(join(dir, 'memory.swap.max'), '0');
        }
      } catch {
        removeDir(dir);
        return undefined;
      }
      return { procsFile: join(dir, 'cgroup.procs'), remove: () => removeDir(dir) };
    },
  };
}

function unenforced(reason: string): MemoryLimiter {
  return { enforced: false, describe: () => `not enforced: ${reason}`, create: () => undefined };
}

function detectCgroup(procSelfCgroup: string): CgroupFlavour | string {
  let lines: string[];
  try {
    lines = readFileSync(procSelfCgroup, 'utf8').split('\n');
  } catch {
    return 'no /proc/self/cgroup (not Linux?)';
  }
  const candidates: CgroupFlavour[] = [];
  for (const line of lines) {
    const [, controllers, path] = line.split(':');
    if (path === undefined) continue;
    if (controllers === '' && existsSync('/sys/fs/cgroup/cgroup.controllers')) {
      const available = readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8');
      if (available.split(/\s+/).includes('memory')) {
        candidates.push({ base: join('/sys/fs/cgroup', path), limitFile: 'memory.max', version: 2 });
      }
    }
    if (controllers?.split(',').includes('memory') && existsSync('/sys/fs/cgroup/memory')) {
      candidates.push({
        base: join('/sys/fs/cgroup/memory', path),
        limitFile: 'memory.limit_in_bytes',
        version: 1,
      });
    }
  }
  for (const candidate of candidates) {
    const probe = join(candidate.base, `nanofaas-probe-${process.pid}`);
    try {
      mkdirSync(probe);
      const usable = existsSync(join(probe, candidate.limitFile));
      removeDir(probe);
      if (usable) return candidate;
    } catch {
      removeDir(probe);
    }
  }
  return 'no writable memory cgroup (cgroup v2 with the memory controller delegated, or v1 memory)';
}

function removeDir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Not there, or processes still inside (they are gone moments after a kill; the next start
    // of the same instance name never happens, names are unique).
  }
}

/** Bytes of a Kubernetes quantity such as "128Mi" or "1G" (already validated by the schema). */
export function parseMemoryQuantity(quantity: string): number | undefined {
  const value = parseQuantity(quantity);
  return value === undefined ? undefined : Math.floor(value);
}

/**
 * Runs `command args…` inside the cgroup: a POSIX shell writes its own pid into the cgroup, then
 * execs the command, so the process (and all it spawns) is limited before it runs any code.
 */
export function wrapCommand(
  cgroup: MemoryCgroup,
  command: string,
  args: readonly string[],
): { command: string; args: string[] } {
  return {
    command: '/bin/sh',
    args: ['-c', 'echo $$ > "$0" && exec "$@"', cgroup.procsFile, command, ...args],
  };
}
