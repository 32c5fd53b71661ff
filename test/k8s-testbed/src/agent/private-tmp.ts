import { fileURLToPath } from 'node:url';
import type { PodMount } from './pod-volumes.js';

/** The repository checkout: pods run its watchdog and example programs by absolute path. */
const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url)).replace(/\/$/, '');

/*
 * Runs in the pod's new mount namespace. $0 is the pod's tmp directory, $1 a host path under /tmp
 * that must stay visible (or ""), $2 the number of volume mounts, then one (source, target, ro|rw)
 * triple per mount, then the container command. The host's /tmp is first bound on /mnt, so that
 * after the pod directory covers /tmp, host paths under /tmp (the kept checkout, volume sources in
 * the test bed's directory) can be bound from there; /mnt is released again before the command runs.
 * A mount point missing on the host is created there (an empty directory), as a runtime creates it
 * in an image's root file system.
 */
const script = [
  'set -e',
  'pod_tmp=$0 keep=$1 count=$2',
  'shift 2',
  'mount --rbind /tmp /mnt',
  'mount --bind "$pod_tmp" /tmp',
  'if [ -n "$keep" ]; then',
  '  mkdir -p "$keep"',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
  '  mount --rbind "/mnt/${keep#/tmp/}" "$keep"',
  'fi',
  'while [ "$count" -gt 0 ]; do',
  '  source=$1 target=$2 mode=$3',
  '  shift 3',
  '  count=$((count - 1))',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
  '  case "$source" in /tmp/*) source="/mnt/${source#/tmp/}" ;; esac',
  '  if [ -d "$source" ]; then mkdir -p "$target"; else mkdir -p "$(dirname "$target")"; touch "$target"; fi',
  '  mount --rbind "$source" "$target"',
  '  if [ "$mode" = ro ]; then mount -o remount,bind,ro "$target"; fi',
  'done',
  'umount -l /mnt',
  'exec "$@"',
].join('\n');

/**
 * Gives a pod its own /tmp and its volumes, as a container has them: a private mount namespace
 * (nothing propagates to the host) in which the pod's directory is bind-mounted over /tmp and each
 * volume over its mountPath. Each step execs the next, so the pid stays the container's. Without
 * it, every pod would share the host's /tmp (the watchdog's FILE mode uses /tmp/input.json and
 * /tmp/output.json). A checkout that itself lives under /tmp (CI clones often do) stays visible at
 * its own path, or the pod could not run the watchdog.
 */
export function withPrivateTmp(
  tmpDir: string,
  command: string,
  args: string[],
  mounts: readonly PodMount[] = [],
  keepVisible: string = repositoryRoot,
): { command: string; args: string[] } {
  const keep = keepVisible.startsWith('/tmp/') ? keepVisible : '';
  // A volume on /tmp itself (an emptyDir, typically) is the pod's /tmp: bound first, it keeps the
  // checkout and the other mounts under /tmp visible.
  const tmpVolume = mounts.find((m) => m.target.replace(/\/+$/, '') === '/tmp');
  const others = mounts.filter((m) => m !== tmpVolume);
  const mountArgs = others.flatMap((m) => [m.source, m.target, m.readOnly ? 'ro' : 'rw']);
  return {
    command: 'unshare',
    args: [
      '--mount',
      '--propagation',
      'private',
      '--',
      'sh',
      '-c',
      script,
      tmpVolume?.source ?? tmpDir,
      keep,
      String(others.length),
      ...mountArgs,
      command,
      ...args,
    ],
  };
}
