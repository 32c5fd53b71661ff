/**
 * From an empty folder to a deployed, invoked, logged, scaled and deleted function with the real
 * `nanofaas` bin against a real control plane started by `nanofaas up` (local backend, real watchdog).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pythonRuntimeCommand } from '../src/paths.js';
import { nanofaas, startUp, type UpProcess } from './cli-kit.js';

const hasCompiler = spawnSync('cc', ['--version']).status === 0;
// The Python runtime's virtualenv (`bash runtimes/python/scripts/venv.sh`; .ci/run makes it).
const hasPythonRuntime = existsSync(pythonRuntimeCommand(process.env));
const hasMaven = spawnSync('mvn', ['--version']).status === 0;

/** Per template: the input to send and the output it must give back. */
const CASES = [
  {
    template: 'node',
    data: '{"name":"Ada"}',
    output: { greeting: 'Hello, Ada!' },
    logged: '"msg":"greeting"',
  },
  {
    template: 'shell',
    data: '"hello"',
    output: { request: { input: 'hello' }, length: 17 },
    logged: 'handling a request of 17 characters',
  },
  ...(hasPythonRuntime
    ? [
        {
          template: 'python',
          data: '{"name":"Ada"}',
          output: { greeting: 'Hello, Ada!' },
          logged: '"msg":"greeting"',
        },
      ]
    : []),
  ...(hasMaven
    ? [
        {
          template: 'java',
          data: '{"name":"Ada"}',
          output: { greeting: 'Hello, Ada!' },
          logged: '"msg":"greeting Ada"',
        },
      ]
    : []),
  ...(hasCompiler
    ? [
        {
          template: 'binary',
          data: '"some text"',
          output: { bytes: 21, lines: 0 },
          logged: 'counted 21 bytes',
        },
      ]
    : []),
];

describe('nanofaas CLI against a control plane started by `nanofaas up`', { timeout: 1_200_000 }, () => {
  let root: string;
  let up: UpProcess;
  let env: Record<string, string>;
  const run = (args: string[], cwd = root, input?: string) =>
    nanofaas(args, { cwd, env, ...(input === undefined ? {} : { input }) });

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'nanofaas-cli-'));
    // Functions run as a uid of their own when the control plane is root: they must reach it.
    chmodSync(root, 0o755);
    up = await startUp(['--data-dir', join(root, 'data'), '--no-examples'], {
      cwd: root,
      env: { NANOFAAS_AUTH: 'off' },
    });
    env = { NANOFAAS_URL: up.url };
  });

  after(async () => {
    await up?.interrupt();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('shows the banner of `up` with the URL, backend and data dir', () => {
    assert.match(up.output(), /backend\s+local/);
    assert.ok(up.output().includes(join(root, 'data')), up.output());
  });

  it('starts the control plane so freed bodies go back to the system: glibc maps large buffers, V8 may be asked to collect', () => {
    const pid = up.child.pid!;
    const [controlPlane] = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
    const environ = readFileSync(`/proc/${controlPlane}/environ`, 'utf8').split('\0');
    assert.ok(environ.includes('MALLOC_MMAP_THRESHOLD_=131072'), environ.join(' '));
    const argv = readFileSync(`/proc/${controlPlane}/cmdline`, 'utf8').split('\0');
    assert.ok(argv.includes('--expose-gc'), argv.join(' '));
  });

  for (const { template, data, output, logged } of CASES) {
    it(`init → deploy → invoke → invoke --async --wait → logs → list → scale → delete (${template})`, async () => {
      const name = `hello-${template}`;
      const init = await run(['init', name, '--template', template, '--output', 'json']);
      assert.equal(init.code, 0, init.stderr);
      assert.equal(init.json().template, template);
      assert.ok(existsSync(join(root, name, 'nanofaas.yaml')));
      const dir = join(root, name);

      const deploy = await run(['deploy', '--output', 'json'], dir);
      assert.equal(deploy.code, 0, deploy.stderr);
      assert.equal(deploy.json().name, name);
      assert.equal(deploy.json().status.state, 'ready');

      const invoked = await run(['invoke', name, '--data', data, '--output', 'json']);
      assert.equal(invoked.code, 0, invoked.stderr);
      assert.equal(invoked.json().status, 'success');
      assert.deepEqual(invoked.json().output, output);
      const executionId: string = invoked.json().executionId;

      // Default output: the function's output alone on stdout, the status on stderr.
      const plain = await run(['invoke', name], root, data);
      assert.equal(plain.code, 0, plain.stderr);
      assert.deepEqual(JSON.parse(plain.stdout), output);
      assert.match(plain.stderr, /success/);

      const waited = await run(['invoke', name, '--async', '--wait', '--data', data, '--output', 'json']);
      assert.equal(waited.code, 0, waited.stderr);
      assert.equal(waited.json().status, 'success');
      assert.deepEqual(waited.json().output, output);
      assert.equal(waited.json().functionName, name);

      const queued = await run(['invoke', name, '--async', '--data', data]);
      assert.equal(queued.code, 0, queued.stderr);
      const queuedId = queued.stdout.trim();
      const got = await run(['executions', 'get', queuedId, '--output', 'json']);
      assert.equal(got.code, 0, got.stderr);
      assert.equal(got.json().executionId, queuedId);

      const followed = await run(['logs', '--execution', queuedId, '--follow', '--output', 'json']);
      assert.equal(followed.code, 0, followed.stderr);
      const streamed = followed.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      assert.ok(
        streamed.length > 0 && streamed.every((entry) => entry.executionId === queuedId),
        followed.stdout,
      );

      const logs = await run(['logs', name, '--execution', executionId, '--output', 'json']);
      assert.equal(logs.code, 0, logs.stderr);
      const lines = logs.json().items;
      assert.ok(
        lines.length > 0 &&
          lines.every((entry: { executionId: string }) => entry.executionId === executionId),
      );
      assert.ok(
        lines.some((entry: { line: string }) => entry.line.includes(logged)),
        JSON.stringify(lines),
      );
      const allLogs = await run(['logs', name, '--since', '10m']);
      assert.equal(allLogs.code, 0, allLogs.stderr);
      assert.ok(allLogs.stdout.includes(logged), allLogs.stdout);

      const list = await run(['list', '--output', 'json']);
      assert.equal(list.code, 0, list.stderr);
      assert.ok(list.json().items.some((fn: { name: string }) => fn.name === name));
      const executions = await run(['executions', 'list', '--function', name, '--output', 'json']);
      assert.ok(executions.json().items.length >= 4);

      const scaled = await run(['scale', name, '2', '--output', 'json']);
      assert.equal(scaled.code, 0, scaled.stderr);
      assert.equal(scaled.json().status.replicas, 2);

      const refused = await run(['delete', name]);
      assert.equal(refused.code, 2, 'no confirmation without a terminal');
      const deleted = await run(['delete', name, '--yes', '--output', 'json']);
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.deepEqual(deleted.json(), { name, deleted: true });
      const gone = await run(['get', name]);
      assert.equal(gone.code, 3);
      assert.match(gone.stderr, /FUNCTION_NOT_FOUND/);
    });
  }

  it('redeploys an existing function as an update (PUT)', async () => {
    const init = await run(['init', 'again', '--template', 'shell']);
    assert.equal(init.code, 0, init.stderr);
    const dir = join(root, 'again');
    assert.equal((await run(['deploy', '--output', 'json'], dir)).json().revision, 1);
    assert.equal((await run(['deploy', '--output', 'json'], dir)).json().revision, 2);
    assert.equal((await run(['delete', 'again', '--yes'])).code, 0);
  });

  it('stops on Ctrl-C with exit code 0', async () => {
    const second = await startUp(['--data-dir', join(root, 'data2'), '--no-examples'], {
      cwd: root,
      env: { NANOFAAS_AUTH: 'off' },
    });
    assert.equal(await second.interrupt(), 0);
    assert.match(second.output(), /control plane stopped/);
  });
});
