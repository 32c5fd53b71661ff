import { statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** Who a function runs as: its own uid and gid, or the control plane's user (`undefined` ids). */
export interface FunctionIdentity {
  readonly uid: number | undefined;
  readonly gid: number | undefined;
}

/** The paths one instance's sandbox is built from. */
export interface SandboxPaths {
  /** What the function must reach: the watchdog, its workdir, its command's files. */
  readonly needed: readonly string[];
  /** The instance's private scratch directory: the only writable place besides a private /tmp. */
  readonly scratchDir: string;
  /** Never visible inside: the control plane's data dir (database, keys). */
  readonly hidden: readonly string[];
  /** Also replaced by an empty directory (e.g. the control plane user's HOME when functions share its uid). */
  readonly masked: readonly string[];
}

/** The mode bits and owner of a directory (injected so the plan is testable without a file system). */
export type StatDir = (path: string) => { mode: number; uid: number; gid: number } | undefined;

const statDir: StatDir = (path) => {
  try {
    const stats = statSync(path);
    return { mode: stats.mode, uid: stats.uid, gid: stats.gid };
  } catch {
    return undefined;
  }
};

/**
 * bubblewrap arguments that build the file system a function sees (docs/security.md):
 * the host's root read-only; a private /tmp and /dev/shm; the scratch dir bound read-write; the data
 * dir replaced by an empty tmpfs. A directory the function's user could not enter anyway (a 0700
 * /root holding a pyenv Python, say) and any `masked` directory become an empty tmpfs too, and only
 * the top-level entries below them that lead to a needed path are mounted back, read-only — so a
 * function reaches exactly the programs it runs, and nothing else of those directories.
 */
export function sandboxMountArgs(
  paths: SandboxPaths,
  identity: FunctionIdentity,
  stat: StatDir = statDir,
): string[] {
  const covers = new Set<string>(['/tmp', '/dev/shm', ...paths.masked.map((path) => resolve(path))]);
  const needed = paths.needed.filter((path) => isAbsolute(path)).map((path) => resolve(path));
  if (identity.uid !== undefined) {
    for (const path of needed) {
      for (const dir of ancestors(path)) {
        const info = stat(dir);
        if (info !== undefined && !canEnter(info, identity)) covers.add(dir);
      }
    }
  }
  const rebinds = new Set<string>();
  for (const path of needed) {
    for (const cover of covers) {
      const rel = relative(cover, path);
      if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) continue;
      rebinds.add(join(cover, rel.split(sep)[0]!));
    }
  }
  type Mount = { path: string; kind: 'tmpfs' | 'rebind' };
  const mounts: Mount[] = [
    ...[...covers].map((path): Mount => ({ path, kind: 'tmpfs' })),
    ...[...rebinds].map((path): Mount => ({ path, kind: 'rebind' })),
  ];
  // Outer before inner, so a deeper mount is never hidden by a shallower one made after it; at the
  // same path the entry is mounted back first, then covered again when it is itself unenterable.
  mounts.sort((a, b) => depth(a.path) - depth(b.path) || (a.kind === 'rebind' ? -1 : 1));
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc'];
  for (const mount of mounts) {
    // The private /tmp and /dev/shm are the function's to write (sticky, like the host's); a
    // covered directory only holds mount points.
    const perms = mount.path === '/tmp' || mount.path === '/dev/shm' ? '1777' : '0755';
    if (mount.kind === 'tmpfs') args.push('--perms', perms, '--tmpfs', mount.path);
    else args.push('--ro-bind-try', mount.path, mount.path);
  }
  args.push('--bind', paths.scratchDir, paths.scratchDir);
  for (const path of paths.hidden) args.push('--perms', '0700', '--tmpfs', resolve(path));
  return args;
}

/** Every directory above `path`, from the root down (not `/` itself, which is always enterable). */
function ancestors(path: string): string[] {
  const dirs: string[] = [];
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) dirs.unshift(dir);
  return dirs;
}

function depth(path: string): number {
  return path.split(sep).filter((part) => part !== '').length;
}

/** Search (x) permission for a user without supplementary groups. */
function canEnter(info: { mode: number; uid: number; gid: number }, identity: FunctionIdentity): boolean {
  if (info.uid === identity.uid) return (info.mode & 0o100) !== 0;
  if (info.gid === identity.gid) return (info.mode & 0o010) !== 0;
  return (info.mode & 0o001) !== 0;
}

/** The first ancestor of `path` the function's user cannot enter, or undefined. */
export function firstUnenterableAncestor(
  path: string,
  identity: FunctionIdentity,
  stat: StatDir = statDir,
): string | undefined {
  if (identity.uid === undefined) return undefined;
  for (const dir of ancestors(resolve(path))) {
    const info = stat(dir);
    if (info !== undefined && !canEnter(info, identity)) return dir;
  }
  return undefined;
}
