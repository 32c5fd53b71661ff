import { createRequire } from 'node:module';

const PR_SET_DUMPABLE = 4;
const PR_GET_DUMPABLE = 3;

/**
 * Marks the control plane's process non-dumpable (prctl PR_SET_DUMPABLE 0, Linux): its
 * /proc/<pid>/environ, mem, maps and fd become root-only and ptrace is refused, so a process of the
 * same uid — a function when the control plane is not root — cannot read its API keys, webhook
 * secret or callback tokens. The flag is per process and reset by execve, so the functions the
 * control plane starts are not affected. Returns what happened, for the start log.
 */
export function denyProcessInspection(): { readonly applied: boolean; readonly detail: string } {
  if (process.platform !== 'linux') return { applied: false, detail: `not supported on ${process.platform}` };
  try {
    // Through a C call (koffi ships prebuilt binaries): Node has no binding for prctl.
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    const prctl = koffi
      .load('libc.so.6')
      .func(
        'int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5)',
      );
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) !== 0 || prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) !== 0) {
      return { applied: false, detail: 'prctl(PR_SET_DUMPABLE, 0) failed' };
    }
    return { applied: true, detail: 'not dumpable: /proc/<pid>/environ and memory readable by root only' };
  } catch (error) {
    return {
      applied: false,
      detail: `cannot call prctl: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
