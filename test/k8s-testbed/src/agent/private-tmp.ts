import { fileURLToPath } from 'node:url';

/** The repository checkout: pods run its watchdog and example programs by absolute path. */
const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url)).replace(/\/$/, '');

/*
 * Runs in the pod's new mount namespace. $0 is the pod's tmp directory, $1 a host path under /tmp
 * that must stay visible (or ""), the rest is the container command. When there is such a path, the
 * host's /tmp is first bound on /mnt, so that after the pod directory covers /tmp the path can be
 * bound back from there; /mnt is then released again.
 */
const script = [
  'set -e',
  'pod_tmp=$0 keep=$1',
  'shift',
  'if [ -n "$keep" ]; then mount --rbind /tmp /mnt; fi',
  'mount --bind "$pod_tmp" /tmp',
  'if [ -n "$keep" ]; then',
  '  mkdir -p "/tmp/${keep#/tmp/}"',
  '  mount --rbind "/mnt/${keep#/tmp/}" "$keep"',
  '  umount -l /mnt',
  'fi',
  'exec "$@"',
].join('\n');

/**
 * Gives a pod its own /tmp, as a container has: a private mount namespace (nothing propagates to
 * the host) in which the pod's directory is bind-mounted over /tmp. Each step execs the next, so the
 * pid stays the container's. Without it, every pod would share the host's /tmp (the watchdog's FILE
 * mode uses /tmp/input.json and /tmp/output.json). A checkout that itself lives under /tmp (CI clones
 * often do) stays visible at its own path, or the pod could not run the watchdog.
 */
export function withPrivateTmp(
  tmpDir: string,
  command: string,
  args: string[],
  keepVisible: string = repositoryRoot,
): { command: string; args: string[] } {
  const keep = keepVisible.startsWith('/tmp/') ? keepVisible : '';
  return {
    command: 'unshare',
    args: ['--mount', '--propagation', 'private', '--', 'sh', '-c', script, tmpDir, keep, command, ...args],
  };
}
