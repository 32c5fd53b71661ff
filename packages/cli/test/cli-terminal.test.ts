/**
 * Progress and colours on a terminal, plain text in a pipe: the CLI runs under a pseudo-terminal
 * made by util-linux `script`, and again with its output piped.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN, cleanEnv, nanofaas, startUp, type UpProcess } from './cli-kit.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
const ESC = '\u001b';
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/** Runs the CLI with stdin, stdout and stderr on a pseudo-terminal; resolves with what the terminal showed. */
async function onTerminal(
  args: string[],
  cwd: string,
  env: Record<string, string>,
  typed = '',
): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  const child = spawn('script', ['--quiet', '--flush', '--return', '--command', command, '/dev/null'], {
    cwd,
    env: cleanEnv({ SHELL: '/bin/sh', TERM: 'xterm', ...env }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.on('data', (chunk: Buffer) => {
    screen += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    screen += chunk.toString('utf8');
  });
  // What the user types, once the prompt is up.
  if (typed !== '') setTimeout(() => child.stdin.write(typed), 1500).unref();
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, screen };
}

describe('terminal output', {
  skip: hasScript ? false : 'util-linux script is not installed',
  timeout: 300_000,
}, () => {
  let root: string;
  let up: UpProcess;
  let env: Record<string, string>;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'nanofaas-cli-tty-'));
    // Functions run as a uid of their own when the control plane is root: they must reach it.
    chmodSync(root, 0o755);
    up = await startUp(['--data-dir', join(root, 'data'), '--no-examples'], {
      cwd: root,
      env: { NANOFAAS_AUTH: 'off' },
    });
    env = { NANOFAAS_URL: up.url };
    assert.equal((await nanofaas(['init', 'tty', '--template', 'shell'], { cwd: root, env })).code, 0);
  });

  after(async () => {
    await up?.interrupt();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('animates progress and colours marks and headings on a terminal', async () => {
    const deploy = await onTerminal(['deploy'], join(root, 'tty'), env);
    assert.equal(deploy.code, 0, deploy.screen);
    assert.match(deploy.screen, SPINNER, 'a spinner frame');
    assert.ok(deploy.screen.includes(`${ESC}[2K`), 'the progress line is redrawn in place');
    assert.ok(deploy.screen.includes(`${ESC}[32m✔`), 'a green mark');
    assert.ok(deploy.screen.includes(`${ESC}[1mNAME`), 'a bold heading');
    const waited = await onTerminal(['invoke', 'tty', '--async', '--wait', '--data', '"x"'], root, env);
    assert.equal(waited.code, 0, waited.screen);
    assert.match(waited.screen, SPINNER);
  });

  it('prints plain text into a pipe: no escape sequence, no spinner', async () => {
    const deploy = await nanofaas(['deploy'], { cwd: join(root, 'tty'), env });
    assert.equal(deploy.code, 0, deploy.stderr);
    for (const text of [deploy.stdout, deploy.stderr]) {
      assert.ok(!text.includes(ESC), JSON.stringify(text));
      assert.doesNotMatch(text, SPINNER);
    }
    assert.match(deploy.stderr, /^✔ updated tty \(revision 2\)$/m, 'one plain line per finished step');
    const waited = await nanofaas(['invoke', 'tty', '--async', '--wait', '--data', '"x"'], {
      cwd: root,
      env,
    });
    assert.equal(waited.code, 0);
    assert.ok(!waited.stderr.includes(ESC) && !waited.stdout.includes(ESC));
  });

  it('asks before deleting on a terminal; only yes deletes', async () => {
    const declined = await onTerminal(['delete', 'tty'], root, env, 'n\r');
    assert.equal(declined.code, 1, declined.screen);
    assert.match(declined.screen, /delete function "tty"\? \[y\/N\]/);
    assert.match(declined.screen, /not deleted/);
    assert.equal((await nanofaas(['get', 'tty'], { cwd: root, env })).code, 0, 'still there');
    const confirmed = await onTerminal(['delete', 'tty'], root, env, 'y\r');
    assert.equal(confirmed.code, 0, confirmed.screen);
    assert.equal((await nanofaas(['get', 'tty'], { cwd: root, env })).code, 3);
  });

  it('NO_COLOR and --no-color keep a terminal free of colours', async () => {
    for (const [args, extra] of [
      [['list'], { NO_COLOR: '1' }],
      [['list', '--no-color'], {}],
    ] as const) {
      const result = await onTerminal([...args], root, { ...env, ...extra });
      assert.equal(result.code, 0, result.screen);
      assert.ok(result.screen.includes('NAME'), result.screen);
      assert.ok(!new RegExp(`${ESC}\\[(1|3\\d)m`).test(result.screen), JSON.stringify(result.screen));
    }
  });
});
