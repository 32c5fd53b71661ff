import { existsSync } from 'node:fs';

const setpriv = '/usr/bin/setpriv';
const haveSetpriv = process.platform === 'linux' && existsSync(setpriv);

/**
 * Wraps a command so the kernel SIGKILLs it if this process dies first (PR_SET_PDEATHSIG via
 * util-linux `setpriv`, which then execs the command: same pid). That covers what no handler can:
 * a test runner that SIGKILLs this process leaves no etcd, API server or pod behind.
 */
export function killWithParent(command: string, args: string[]): { command: string; args: string[] } {
  if (!haveSetpriv) return { command, args };
  return { command: setpriv, args: ['--pdeathsig', 'KILL', '--', command, ...args] };
}
