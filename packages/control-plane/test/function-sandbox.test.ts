import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectSandbox } from '../src/backends/local/function-sandbox.js';
import { FunctionUids } from '../src/backends/local/function-uids.js';
import { type StatDir, sandboxMountArgs } from '../src/backends/local/sandbox-mounts.js';

/** A file system of directories with modes, all owned by root. */
function tree(modes: Record<string, number>): StatDir {
  return (path) => (path in modes ? { mode: 0o040000 | modes[path]!, uid: 0, gid: 0 } : undefined);
}

/** The mounts as [kind, path] pairs, in bubblewrap's order. */
function mounts(args: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--tmpfs' || arg === '--bind') out.push([arg.slice(2), args[i + 1]!]);
    if (arg === '--ro-bind-try') out.push(['rebind', args[i + 1]!]);
  }
  return out;
}

describe('sandbox mounts', () => {
  const fn = { uid: 1_879_050_000, gid: 1_879_050_000 };
  const paths = {
    needed: [
      '/work/repo/watchdog/dist/watchdog',
      '/root/.pyenv/versions/3.11/bin/python3.11',
      '/tmp/ci/repo/handler.py',
    ],
    scratchDir: '/tmp/nanofaas-instance-x-1',
    hidden: ['/work/repo/.nanofaas'],
    masked: [],
  };
  const fs = tree({
    '/work': 0o755,
    '/work/repo': 0o755,
    '/root': 0o700,
    '/root/.pyenv': 0o755,
    '/tmp': 0o1777,
    '/tmp/ci': 0o755,
  });

  it('covers what the function cannot enter, mounts back only the entries it needs, hides the data dir last', () => {
    const order = mounts(sandboxMountArgs(paths, fn, fs));
    assert.deepEqual(order, [
      ['tmpfs', '/tmp'],
      ['tmpfs', '/root'],
      ['rebind', '/tmp/ci'],
      ['rebind', '/root/.pyenv'],
      ['tmpfs', '/dev/shm'],
      ['bind', '/tmp/nanofaas-instance-x-1'],
      ['tmpfs', '/work/repo/.nanofaas'],
    ]);
  });

  it('mounts an unenterable entry back before covering it again, then what lies below it', () => {
    const closed = tree({ '/root': 0o700, '/root/venv': 0o700, '/root/venv/bin': 0o755 });
    const order = mounts(
      sandboxMountArgs({ ...paths, needed: ['/root/venv/bin/python'], hidden: [] }, fn, closed),
    ).filter(([, path]) => path.startsWith('/root'));
    assert.deepEqual(order, [
      ['tmpfs', '/root'],
      ['rebind', '/root/venv'],
      ['tmpfs', '/root/venv'],
      ['rebind', '/root/venv/bin'],
    ]);
  });

  it('sharing the control plane uid, it masks the masked dirs (HOME) and checks no permissions', () => {
    const shared = { uid: undefined, gid: undefined };
    const order = mounts(
      sandboxMountArgs(
        { ...paths, needed: ['/home/dev/project/fn.sh'], masked: ['/home/dev'], hidden: [] },
        shared,
        fs,
      ),
    );
    assert.deepEqual(order.slice(0, 4), [
      ['tmpfs', '/tmp'],
      ['tmpfs', '/dev/shm'],
      ['tmpfs', '/home/dev'],
      ['rebind', '/home/dev/project'],
    ]);
  });
});

describe('function uids', () => {
  it('gives each function its own uid from the range, stable per name, never a reserved one', () => {
    const uids = new FunctionUids({ first: 5000, last: 5002 }, new Set([5001]));
    const a = uids.uidOf('alpha');
    assert.equal(uids.uidOf('alpha'), a, 'every instance of a function shares its uid');
    const b = uids.uidOf('beta');
    assert.notEqual(a, b);
    for (const uid of [a, b]) assert.ok(uid >= 5000 && uid <= 5002 && uid !== 5001);
    assert.throws(() => uids.uidOf('gamma'), /no free uid left in 5000-5002/);
    uids.release('alpha');
    assert.equal(uids.uidOf('gamma'), a, 'a released uid is reused');
  });
});

describe('isolation detection', () => {
  const tools = { bwrap: '/x/bwrap', setpriv: '/x/setpriv' };
  const works =
    (...working: string[]) =>
    (command: string) =>
      working.includes(command);

  it('takes the strongest level the machine allows and says why it is weaker', () => {
    assert.equal(
      detectSandbox('auto', { root: true, tools, probe: works('/x/bwrap', '/x/setpriv') }).level,
      'namespaces',
    );
    const uidOnly = detectSandbox('auto', { root: true, tools, probe: works('/x/setpriv') });
    assert.equal(uidOnly.level, 'uid');
    assert.match(uidOnly.description, /bubblewrap/);
    const none = detectSandbox('auto', { root: false, tools, probe: works('/x/setpriv') });
    assert.equal(none.level, 'none');
    assert.match(none.description, /user namespaces/);
    assert.equal(
      detectSandbox('none', { root: true, tools, probe: works('/x/bwrap', '/x/setpriv') }).level,
      'none',
    );
  });

  it('fails the start when an explicit level is not available, never weakens it silently', () => {
    assert.throws(
      () => detectSandbox('namespaces', { root: true, tools, probe: works('/x/setpriv') }),
      /namespaces/,
    );
    assert.throws(() => detectSandbox('uid', { root: false, tools, probe: works('/x/setpriv') }), /root/);
  });

  it('wraps the watchdog: bubblewrap, then setpriv to the function uid with no groups and no_new_privs', () => {
    const sandbox = detectSandbox('auto', { root: true, tools, probe: works('/x/bwrap', '/x/setpriv') });
    const { command, args } = sandbox.wrap('/w/watchdog', [], {
      identity: { uid: 6000, gid: 6000 },
      cwd: '/srv/fn',
      paths: { needed: [], scratchDir: '/tmp/s', hidden: [], masked: [] },
    });
    assert.equal(command, '/x/bwrap');
    assert.ok(args.includes('--unshare-pid') && args.includes('--die-with-parent'));
    const inner = args.slice(args.indexOf('--') + 1);
    assert.deepEqual(inner, [
      '/x/setpriv',
      '--reuid=6000',
      '--regid=6000',
      '--clear-groups',
      '--no-new-privs',
      '--',
      '/w/watchdog',
    ]);
  });
});
