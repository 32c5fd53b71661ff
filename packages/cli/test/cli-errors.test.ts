/**
 * Each bad input gives its message and its documented exit code (README.md of packages/cli),
 * and the API key is found by itself in the documented order.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveApiKey } from '../src/api-key.js';
import { ExitCode } from '../src/exit-codes.js';
import { rawMember } from '../src/raw-json.js';
import { printable } from '../src/terminal.js';
import { nanofaas, startUp, type UpProcess } from './cli-kit.js';

const ADMIN_KEY = 'cli-test-admin-key-0123456789';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('bad input: message and exit code', { timeout: 300_000 }, () => {
  let root: string;
  let up: UpProcess;
  const run = (
    args: string[],
    options: { cwd?: string; env?: Record<string, string>; input?: string } = {},
  ) =>
    nanofaas(args, {
      cwd: options.cwd ?? root,
      env: { NANOFAAS_URL: up.url, NANOFAAS_API_KEY: ADMIN_KEY, ...options.env },
      ...(options.input === undefined ? {} : { input: options.input }),
    });

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'nanofaas-cli-errors-'));
    // Functions run as a uid of their own when the control plane is root: they must reach it.
    chmodSync(root, 0o755);
    // API keys on: the wrong-key cases need them (NANOFAAS_API_KEYS works before and after the
    // generated admin key; the key file below is where the CLI looks for it on loopback).
    up = await startUp(['--data-dir', join(root, 'data'), '--no-examples'], {
      cwd: root,
      env: { NANOFAAS_API_KEYS: `${ADMIN_KEY}:admin` },
    });
    mkdirSync(join(root, 'fail'));
    writeFileSync(
      join(root, 'fail', 'nanofaas.yaml'),
      'name: failing\nruntimeMode: STDIO\nruntimeCommand: ./fail.sh\nscaling:\n  minReplicas: 0\n',
    );
    writeFileSync(
      join(root, 'fail', 'fail.sh'),
      '#!/bin/sh\ncat >/dev/null\necho "broken on purpose" >&2\nexit 3\n',
      {
        mode: 0o755,
      },
    );
    mkdirSync(join(root, 'slow'));
    writeFileSync(
      join(root, 'slow', 'nanofaas.yaml'),
      'name: slow\nruntimeMode: STDIO\nruntimeCommand: ./slow.sh\nmaxRetries: 0\nscaling:\n  minReplicas: 0\n',
    );
    writeFileSync(join(root, 'slow', 'slow.sh'), '#!/bin/sh\nsleep 5\necho 1\n', { mode: 0o755 });
    assert.equal((await run(['deploy'], { cwd: join(root, 'fail') })).code, 0);
    assert.equal((await run(['deploy'], { cwd: join(root, 'slow') })).code, 0);
  });

  after(async () => {
    await up?.interrupt();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('unknown function: 3 with the API code', async () => {
    const result = await run(['invoke', 'no-such-function', '--data', '1']);
    assert.equal(result.code, 3);
    assert.match(result.stderr, /FUNCTION_NOT_FOUND: .*no-such-function/);
    assert.equal(result.stdout, '');
    assert.equal((await run(['executions', 'get', 'nope'])).code, 3);
    assert.equal((await run(['logs', 'no-such-function'])).code, 3);
  });

  it('a manifest with a bad field: 2, naming the file and the field', async () => {
    const dir = join(root, 'bad-manifest');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'nanofaas.yaml'),
      'name: bad\nruntimeCommand: ./x.sh\nscaling:\n  maxReplicas: 1000\n',
    );
    const result = await run(['deploy'], { cwd: dir });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /nanofaas\.yaml: field "scaling\.maxReplicas"/);
    writeFileSync(join(dir, 'nanofaas.yaml'), 'name: bad\nruntimeCommand: ./x.sh\ncolour: blue\n');
    const unknown = await run(['deploy', '--dry-run'], { cwd: dir });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /field "colour"/);
    writeFileSync(join(dir, 'nanofaas.yaml'), 'name: [unclosed\n');
    assert.equal((await run(['deploy'], { cwd: dir })).code, 2);
    const missing = await run(['deploy', '-f', 'nowhere.yaml'], { cwd: dir });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nowhere\.yaml: no such file/);
  });

  it('malformed --data JSON, a bad header or timeout, a bad name: 2 before any request', async () => {
    const data = await run(['invoke', 'failing', '--data', '{"a":']);
    assert.equal(data.code, 2);
    assert.match(data.stderr, /--data is not valid JSON/);
    const stdin = await run(['invoke', 'failing'], { input: 'not json' });
    assert.equal(stdin.code, 2);
    assert.match(stdin.stderr, /stdin is not valid JSON/);
    const file = await run(['invoke', 'failing', '--file', 'missing.json']);
    assert.equal(file.code, 2);
    assert.match(file.stderr, /--file missing\.json: ENOENT/);
    assert.equal((await run(['invoke', 'failing', '--header', 'no-colon'])).code, 2);
    assert.equal((await run(['invoke', 'failing', '--timeout', 'soon'])).code, 2);
    const name = await run(['invoke', 'Bad_Name']);
    assert.equal(name.code, 2);
    assert.match(name.stderr, /function name "Bad_Name"/);
    assert.equal((await run(['logs', 'failing', '--since', 'yesterday'])).code, 2);
    assert.equal((await run(['frobnicate'])).code, 2);
    assert.equal((await run(['invoke'])).code, 2, 'missing argument');
    assert.equal((await run(['list', '--output', 'xml'])).code, 2);
  });

  it('unreachable URL: 5 with the `nanofaas up` hint', async () => {
    const port = await closedPort();
    const result = await run(['list'], { env: { NANOFAAS_URL: `http://127.0.0.1:${port}` } });
    assert.equal(result.code, 5);
    assert.match(
      result.stderr,
      /cannot reach the control plane at http:\/\/127\.0\.0\.1:\d+: connection refused/,
    );
    assert.match(result.stderr, /is `nanofaas up` running\?/);
    assert.doesNotMatch(result.stderr, /at .*\.js:\d+/, 'no stack trace without --debug');
  });

  it('wrong or missing API key: 4 with a hint; the key is found in the documented order', async () => {
    const wrong = await run(['list'], { env: { NANOFAAS_API_KEY: 'wrong-key-wrong-key-wrong' } });
    assert.equal(wrong.code, 4);
    assert.match(wrong.stderr, /UNAUTHORIZED/);
    assert.match(wrong.stderr, /NANOFAAS_API_KEY was refused/);
    const flag = await run(['list', '--api-key', ADMIN_KEY], {
      env: { NANOFAAS_API_KEY: 'wrong-key-wrong-key-wrong' },
    });
    assert.equal(flag.code, 0, '--api-key wins over NANOFAAS_API_KEY');

    // No key given: on loopback the CLI reads ./.nanofaas/admin.key, or $NANOFAAS_DATA_DIR/admin.key.
    const project = join(root, 'project');
    mkdirSync(join(project, '.nanofaas'), { recursive: true });
    const keyEnv = { NANOFAAS_API_KEY: '', NANOFAAS_DATA_DIR: '.nanofaas' };
    const none = await run(['list'], { cwd: project, env: keyEnv });
    assert.equal(none.code, 4);
    assert.match(none.stderr, /needs an API key/);
    writeFileSync(join(project, '.nanofaas', 'admin.key'), `${ADMIN_KEY}\n`);
    assert.equal((await run(['list'], { cwd: project, env: keyEnv })).code, 0);
    assert.equal((await run(['list'], { cwd: project, env: { NANOFAAS_API_KEY: '' } })).code, 0);
    writeFileSync(join(root, 'data', 'admin.key'), `${ADMIN_KEY}\n`, { flag: 'w' });
    const fromDataDir = await run(['list', '--output', 'json'], {
      cwd: join(root, 'fail'),
      env: { NANOFAAS_API_KEY: '', NANOFAAS_DATA_DIR: join(root, 'data') },
    });
    assert.equal(fromDataDir.code, 0, fromDataDir.stderr);
  });

  it('the function fails: 6; the invocation times out: 7; the output of a failure is not on stdout', async () => {
    const failed = await run(['invoke', 'failing', '--data', '1']);
    assert.equal(failed.code, 6, failed.stderr);
    assert.match(failed.stderr, /FUNCTION_FAILED/);
    assert.match(failed.stderr, /the function/);
    assert.equal(failed.stdout, '');
    const json = await run(['invoke', 'failing', '--data', '1', '--output', 'json']);
    assert.equal(json.code, 6);
    assert.equal(json.json().status, 'error');
    assert.equal(json.json().error.code, 'FUNCTION_FAILED');
    const slow = await run(['invoke', 'slow', '--timeout', '300', '--output', 'json']);
    assert.equal(slow.code, 7, slow.stderr);
    assert.equal(slow.json().status, 'timeout');
  });
});

describe('pieces', () => {
  it('documents exactly the exit codes it uses, in the README and docs/cli.md', () => {
    const codes = [...new Set(Object.values(ExitCode))].sort((a, b) => a - b);
    for (const doc of ['../README.md', '../../../docs/cli.md']) {
      const text = readFileSync(new URL(doc, import.meta.url), 'utf8');
      const section = text.slice(text.indexOf('## Exit codes'));
      const documented = [...section.matchAll(/^\| (\d+) \|/gm)].map((match) => Number(match[1]));
      assert.deepEqual(documented, codes, doc);
    }
  });

  it('never reads a key file for a remote URL', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nanofaas-key-'));
    try {
      mkdirSync(join(dir, '.nanofaas'));
      writeFileSync(join(dir, '.nanofaas', 'admin.key'), 'local-admin-key\n');
      const local = resolveApiKey({
        flag: undefined,
        env: {},
        cwd: dir,
        url: new URL('http://localhost:8080'),
      });
      assert.equal(local?.key, 'local-admin-key');
      for (const url of ['http://10.0.0.5:8080', 'https://faas.example.com', 'http://127.example.com']) {
        assert.equal(
          resolveApiKey({ flag: undefined, env: {}, cwd: dir, url: new URL(url) }),
          undefined,
          url,
        );
      }
      assert.equal(
        resolveApiKey({ flag: undefined, env: {}, cwd: dir, url: new URL('http://[::1]:8080') })?.key,
        'local-admin-key',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the output bytes of a response as sent', () => {
    const text =
      '{"executionId":"e","status":"success","output":{"x":7.0,"big":123456789012345678901,"s":"a\\"}"},"coldStart":false}';
    assert.equal(rawMember(text, 'output'), '{"x":7.0,"big":123456789012345678901,"s":"a\\"}"}');
    assert.equal(rawMember('{"output":7.0}', 'output'), '7.0');
    assert.equal(rawMember('{"a":[1,{"output":2}],"output":"x"}', 'output'), '"x"');
    assert.equal(rawMember('{"status":"error"}', 'output'), undefined);
  });

  it('prints a bash completion script that bash accepts', async () => {
    const cwd = tmpdir();
    const result = await nanofaas(['completion', 'bash'], { cwd });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /complete -o default -F _nanofaas nanofaas/);
    assert.match(result.stdout, /invoke\) words="[^"]*--async/);
    const syntax = spawnSync('bash', ['-n'], { input: result.stdout });
    assert.equal(syntax.status, 0, String(syntax.stderr));
    assert.equal((await nanofaas(['completion', 'fish'], { cwd })).code, 2);
  });

  it('makes function text safe for a terminal', () => {
    assert.equal(printable('a\u001b[31mred\u0007\r\nb\tc'), 'a\\x1b[31mred\\x07\\r\\nb\tc');
  });
});

describe('the admin key `nanofaas up` generates', { timeout: 120_000 }, () => {
  it('is picked up by the CLI in the same folder (loopback), and needed elsewhere', async () => {
    const root = mkdtempSync(join(tmpdir(), 'nanofaas-cli-key-'));
    // Functions run as a uid of their own when the control plane is root: they must reach it.
    chmodSync(root, 0o755);
    const elsewhere = mkdtempSync(join(tmpdir(), 'nanofaas-cli-elsewhere-'));
    let up: UpProcess | undefined;
    try {
      up = await startUp(['--no-examples'], { cwd: root });
      assert.match(up.output(), /admin key\s+\S*\.nanofaas\/admin\.key/);
      const env = { NANOFAAS_URL: up.url };
      const here = await nanofaas(['list', '--output', 'json'], { cwd: root, env });
      assert.equal(here.code, 0, here.stderr);
      assert.deepEqual(here.json().items, []);
      mkdirSync(join(root, 'fn'));
      const below = await nanofaas(['list'], { cwd: join(root, 'fn'), env });
      assert.equal(below.code, 0, 'found in the nearest parent');
      const there = await nanofaas(['list'], {
        cwd: elsewhere,
        env: { ...env, NANOFAAS_DATA_DIR: elsewhere },
      });
      assert.equal(there.code, 4);
      const viaDataDir = await nanofaas(['list'], {
        cwd: elsewhere,
        env: { ...env, NANOFAAS_DATA_DIR: join(root, '.nanofaas') },
      });
      assert.equal(viaDataDir.code, 0, viaDataDir.stderr);
    } finally {
      await up?.interrupt();
      rmSync(root, { recursive: true, force: true });
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
