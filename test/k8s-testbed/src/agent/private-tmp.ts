/**
 * Gives a pod its own /tmp, as a container has: a private mount namespace (nothing propagates to
 * the host) in which the pod's directory is bind-mounted over /tmp. Each step execs the next, so the
 * pid stays the container's. Without it, every pod would share the host's /tmp (the watchdog's FILE
 * mode uses /tmp/input.json and /tmp/output.json).
 */
export function withPrivateTmp(
  tmpDir: string,
  command: string,
  args: string[],
): { command: string; args: string[] } {
  return {
    command: 'unshare',
    args: [
      '--mount',
      '--propagation',
      'private',
      '--',
      'sh',
      '-c',
      'mount --bind "$0" /tmp && exec "$@"',
      tmpDir,
      command,
      ...args,
    ],
  };
}
