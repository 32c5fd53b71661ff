/**
 * The local backend behind the real control plane: HTTP API on loopback, SQLite on disk, the real
 * watchdog, the Node runtime and shell scripts as functions.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type App, buildApp } from '../src/app.js';
import { SCRATCH_DIR_PREFIX } from '../src/backends/local/instance-process.js';
import { removeScratchDirsOfDeadControlPlanes } from '../src/backends/local/orphan-sweeper.js';
import { loadConfig } from '../src/config/load-config.js';
import { startEchoProcess } from './fixtures/echo-process.js';
import { eventually, freePort, processesOf } from './local-test-kit.js';

const RUNTIME_CLI = fileURLToPath(new URL('../../runtime/dist/cli.js', import.meta.url));
const MAIN_MODULE = fileURLToPath(new URL('../src/main.ts', import.meta.url));

interface Reply {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  json: any;
}

describe('local backend behind the control plane HTTP API', { timeout: 300_000 }, () => {
  let root: string;
  let app: App;
  let base: string;
  const call = async (method: string, path: string, body?: unknown): Promise<Reply> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      json: text === '' ? undefined : JSON.parse(text),
    };
  };
  const register = async (spec: Record<string, unknown>) => {
    const reply = await call('POST', '/v1/functions', spec);
    assert.equal(reply.status, 201, JSON.stringify(reply.json));
    return reply;
  };
  const script = (name: string, body: string) => {
    const path = join(root, name);
    writeFileSync(path, body);
    chmodSync(path, 0o755);
    return path;
  };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'nanofaas-local-cp-'));
    // Functions run as a uid of their own under a root control plane: their files must be open to it.
    chmodSync(root, 0o755);
    const port = await freePort();
    const config = loadConfig(
      {
        NANOFAAS_BACKEND: 'local',
        HOST: '127.0.0.1',
        PORT: String(port),
        NANOFAAS_DATA_DIR: join(root, 'data'),
        NANOFAAS_LOG_LEVEL: 'silent',
        NANOFAAS_AUTH: 'off',
        NANOFAAS_FUNCTIONS_ROOT: root,
        NANOFAAS_RETRY_BASE_MS: '20',
        NANOFAAS_RETRY_MAX_MS: '100',
        NANOFAAS_LOCAL_AUTOSCALE_INTERVAL_MS: '100',
        NANOFAAS_LOCAL_SCALE_DOWN_WINDOW_MS: '500',
        NANOFAAS_LOCAL_RESTART_BACKOFF_MS: '50',
        NANOFAAS_LOCAL_RESTART_BACKOFF_MAX_MS: '400',
      },
      root,
    );
    app = buildApp(config, { cwd: root });
    await app.start();
    base = app.url();
    writeFileSync(
      join(root, 'handler.mjs'),
      `export default async ({ input }) => {
  if (input?.sleepMs) await new Promise((resolve) => setTimeout(resolve, input.sleepMs));
  return { echo: input?.echo ?? null, pid: process.pid };
};\n`,
    );
    script('stdio.sh', '#!/bin/sh\nprintf \'{"stdio":%s}\' "$(cat)"\n');
    script('file.sh', '#!/bin/bash\nprintf \'{"file":%s}\' "$(cat "$INPUT_FILE")" > "$OUTPUT_FILE"\n');
  });

  after(async () => {
    await app?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const commandFor = (mode: string) =>
    mode === 'HTTP'
      ? `${process.execPath} ${RUNTIME_CLI} ${join(root, 'handler.mjs')}`
      : join(root, mode === 'STDIO' ? 'stdio.sh' : 'file.sh');

  for (const executionMode of ['DEPLOYMENT', 'REMOTE']) {
    for (const runtimeMode of ['HTTP', 'STDIO', 'FILE']) {
      it(`register → invoke: ${runtimeMode} × ${executionMode}`, {
        skip: !existsSync(RUNTIME_CLI) && runtimeMode === 'HTTP',
      }, async () => {
        const name = `cp-${runtimeMode}-${executionMode}`.toLowerCase();
        await register({ name, runtimeCommand: commandFor(runtimeMode), runtimeMode, executionMode });
        const reply = await call('POST', `/v1/functions/${name}:invoke`, { input: { echo: 'hello' } });
        assert.equal(reply.status, 200, JSON.stringify(reply.json));
        assert.equal(reply.json.status, 'success');
        const output = reply.json.output;
        const echoed = runtimeMode === 'HTTP' ? output.echo : (output.stdio ?? output.file).input.echo;
        assert.equal(echoed, 'hello');
        assert.equal((await call('DELETE', `/v1/functions/${name}`)).status, 204);
        assert.deepEqual(processesOf(name), []);
      });
    }
  }

  it('runs a POOL function (an endpoint that already runs) beside a DEPLOYMENT one', async () => {
    await register({ name: 'cp-warm', runtimeCommand: commandFor('STDIO'), runtimeMode: 'STDIO' });
    const echo = await startEchoProcess();
    try {
      const pooled = await register({ name: 'cp-pooled', endpointUrl: echo.url });
      assert.equal(pooled.json.executionMode, 'POOL');
      const [warm, pool] = await Promise.all([
        call('POST', '/v1/functions/cp-warm:invoke', { input: { echo: 'warm' } }),
        call('POST', '/v1/functions/cp-pooled:invoke', { input: { echo: 'pool' } }),
      ]);
      assert.equal(warm.status, 200, JSON.stringify(warm.json));
      assert.equal(warm.json.output.stdio.input.echo, 'warm');
      assert.equal(pool.status, 200, JSON.stringify(pool.json));
      assert.equal(pool.json.output.echo, 'pool');
      assert.deepEqual(processesOf('cp-pooled'), [], 'a POOL function starts no process');
      assert.equal((await call('GET', '/v1/functions/cp-pooled')).json.status.state, 'ready');
    } finally {
      await call('DELETE', '/v1/functions/cp-pooled');
      await call('DELETE', '/v1/functions/cp-warm');
      await echo.stop();
    }
  });

  it('cold-starts a scaled-to-zero function for a waiting request (no 503) and reports it', async () => {
    await register({
      name: 'cp-cold',
      runtimeCommand: commandFor('STDIO'),
      runtimeMode: 'STDIO',
      scaling: { minReplicas: 0, maxReplicas: 2, idleTimeoutMs: 400 },
    });
    assert.equal((await call('GET', '/v1/functions/cp-cold')).json.status.state, 'scaled-to-zero');
    const first = await call('POST', '/v1/functions/cp-cold:invoke', { input: 1 });
    assert.equal(first.status, 200, JSON.stringify(first.json));
    assert.equal(first.json.coldStart, true);
    assert.equal(first.headers.get('x-cold-start'), 'true');
    const idle = await eventually(
      async () => (await call('GET', '/v1/functions/cp-cold')).json.status.state === 'scaled-to-zero',
    );
    assert.ok(idle);
    const again = await call('POST', '/v1/functions/cp-cold:invoke', { input: 2 });
    assert.equal(again.status, 200);
    assert.equal(again.json.coldStart, true);
    const warm = await call('POST', '/v1/functions/cp-cold:invoke', { input: 3 });
    assert.equal(warm.json.coldStart, false);
    assert.equal(warm.headers.get('x-cold-start'), null);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /nanofaas_local_cold_start_duration_seconds_count\{function="cp-cold"\} [1-9]/);
    await call('DELETE', '/v1/functions/cp-cold');
  });

  it('kill -9 of a replica mid-request: the scheduler retries and the caller gets 200', {
    skip: !existsSync(RUNTIME_CLI),
  }, async () => {
    await register({
      name: 'cp-kill',
      runtimeCommand: commandFor('HTTP'),
      scaling: { minReplicas: 1, maxReplicas: 2 },
    });
    const warm = await call('POST', '/v1/functions/cp-kill:invoke', { input: { echo: 'warm' } });
    assert.equal(warm.status, 200);
    const victim = (await call('GET', '/v1/functions/cp-kill')).json.status.instances[0].pid as number;
    const pending = call('POST', '/v1/functions/cp-kill:invoke', {
      input: { echo: 'survives', sleepMs: 3000 },
    });
    const reached = await eventually(
      async () => (await call('GET', '/v1/functions/cp-kill')).json.status.instances[0]?.inFlight === 1,
    );
    assert.ok(reached, 'the slow request never reached the replica');
    await new Promise((resolve) => setTimeout(resolve, 300)); // let it reach the runtime
    process.kill(victim, 'SIGKILL');
    const reply = await pending;
    assert.equal(reply.status, 200, JSON.stringify(reply.json));
    assert.equal(reply.json.output.echo, 'survives');
    const execution = await call('GET', `/v1/executions/${reply.json.executionId}`);
    assert.ok(execution.json.attempt >= 2, `expected a retry, got attempt ${execution.json.attempt}`);
    await call('DELETE', '/v1/functions/cp-kill');
    assert.deepEqual(processesOf('cp-kill'), []);
  });

  it('refuses at registration every spec the local backend could never run, naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [
        { runtimeCommand: 'no-such-binary-here', runtimeMode: 'STDIO' },
        'runtimeCommand',
        /no-such-binary-here/,
      ],
      [{ image: 'registry.example/fn:1' }, 'runtimeCommand', /kubernetes backend/],
      [{ runtimeCommand: 'cat', workdir: 'missing-dir' }, 'workdir', /does not exist/],
      [{ runtimeCommand: 'cat', executionMode: 'REMOTE', env: { A: 'a\u0000' } }, 'env.A', /NUL/],
      [{ runtimeCommand: 'cat "x' }, 'runtimeCommand', /unbalanced/],
    ];
    for (const [fields, field, message] of cases) {
      const reply = await call('POST', '/v1/functions', { name: 'cp-never', ...fields });
      assert.equal(reply.status, 400, JSON.stringify(reply.json));
      assert.equal(reply.json.error.code, 'VALIDATION_FAILED');
      assert.equal(reply.json.error.issues[0].field, field, JSON.stringify(reply.json));
      assert.match(reply.json.error.message, message);
      assert.equal((await call('GET', '/v1/functions/cp-never')).status, 404);
    }
    assert.deepEqual(processesOf('cp-never'), []);
  });

  it('rejects a workdir escaping the functions root with 400 naming workdir', async () => {
    const reply = await call('POST', '/v1/functions', {
      name: 'cp-escape',
      runtimeCommand: 'cat',
      workdir: '../..',
    });
    assert.equal(reply.status, 400);
    assert.equal(reply.json.error.code, 'VALIDATION_FAILED');
    assert.equal(reply.json.error.issues[0].field, 'workdir');
    assert.equal((await call('GET', '/v1/functions/cp-escape')).status, 404);
  });

  it('PUT replicas pins the count; GET shows it; update rolls to the new revision', async () => {
    await register({
      name: 'cp-pin',
      runtimeCommand: commandFor('STDIO'),
      runtimeMode: 'STDIO',
      env: { V: '1' },
    });
    const pinned = await call('PUT', '/v1/functions/cp-pin/replicas', { replicas: 3 });
    assert.equal(pinned.status, 200, JSON.stringify(pinned.json));
    const ready = await eventually(
      async () => (await call('GET', '/v1/functions/cp-pin')).json.status.readyReplicas === 3,
    );
    assert.ok(ready);
    const before = processesOf('cp-pin');
    const updated = await call('PUT', '/v1/functions/cp-pin', {
      name: 'cp-pin',
      runtimeCommand: commandFor('STDIO'),
      runtimeMode: 'STDIO',
      env: { V: '2' },
    });
    assert.equal(updated.status, 200, JSON.stringify(updated.json));
    assert.equal(updated.json.revision, 2);
    const rolled = await eventually(() => {
      const now = processesOf('cp-pin');
      return now.length > 0 && now.every((pid) => !before.includes(pid));
    });
    assert.ok(rolled, 'old replicas were not replaced');
    const invoked = await call('POST', '/v1/functions/cp-pin:invoke', { input: 'x' });
    assert.equal(invoked.status, 200);
    await call('DELETE', '/v1/functions/cp-pin');
    assert.deepEqual(processesOf('cp-pin'), []);
  });

  it('REMOTE: a 1 MiB input (over the 128 KiB of one environment variable) runs through the real watchdog', async () => {
    await register({
      name: 'cp-remote-large',
      runtimeCommand: commandFor('STDIO'),
      runtimeMode: 'STDIO',
      executionMode: 'REMOTE',
    });
    const text = 'x'.repeat(1024 * 1024);
    const reply = await call('POST', '/v1/functions/cp-remote-large:invoke', { input: { echo: text } });
    assert.equal(reply.status, 200, JSON.stringify(reply.json).slice(0, 500));
    assert.equal(reply.json.output.stdio.input.echo, text);
    await call('DELETE', '/v1/functions/cp-remote-large');
  });

  it('stopping the control plane SIGTERMs every watchdog and leaves no process', async () => {
    await register({
      name: 'cp-stop',
      runtimeCommand: commandFor('STDIO'),
      runtimeMode: 'STDIO',
      scaling: { minReplicas: 2 },
    });
    assert.ok(await eventually(() => processesOf('cp-stop').length >= 2));
    await app.stop();
    assert.deepEqual(processesOf('cp-stop'), []);
  });
});

describe('local commands and API keys', { timeout: 60_000 }, () => {
  it('registering a local command takes the admin role; an invoke key may only invoke', async () => {
    const root = mkdtempSync(join(tmpdir(), 'nanofaas-local-keys-'));
    // Functions run as a uid of their own under a root control plane: their files must be open to it.
    chmodSync(root, 0o755);
    const admin = 'admin-key-0123456789abcdef';
    const invoker = 'invoke-key-0123456789abcdef';
    const app = buildApp(
      loadConfig(
        {
          NANOFAAS_BACKEND: 'local',
          HOST: '127.0.0.1',
          PORT: String(await freePort()),
          NANOFAAS_DATA_DIR: ':memory:',
          NANOFAAS_LOG_LEVEL: 'silent',
          NANOFAAS_FUNCTIONS_ROOT: root,
          NANOFAAS_API_KEYS: `${admin}:admin,${invoker}:invoke`,
        },
        root,
      ),
      { cwd: root },
    );
    await app.start();
    try {
      const post = (key: string, path: string, body: unknown) =>
        fetch(`${app.url()}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify(body),
        });
      const spec = { name: 'keyed', runtimeCommand: 'cat', runtimeMode: 'STDIO' };
      assert.equal((await post(invoker, '/v1/functions', spec)).status, 403);
      assert.equal((await post(admin, '/v1/functions', spec)).status, 201);
      const invoked = await post(invoker, '/v1/functions/keyed:invoke', { input: { ok: true } });
      assert.equal(invoked.status, 200);
      assert.deepEqual(((await invoked.json()) as { output: unknown }).output, { input: { ok: true } });
    } finally {
      await app.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

/** Pids of live (non-zombie) processes started by the control plane with pid `owner`. */
function processesOwnedBy(owner: number): number[] {
  const marker = new RegExp(`FAAS_INSTANCE_ID=[a-z0-9-]+-${owner.toString(36)}-\\d+\0`);
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (marker.test(readFileSync(`/proc/${entry}/environ`, 'latin1'))) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

describe('a control plane killed with kill -9', { timeout: 180_000 }, () => {
  it('its watchdogs and their runtimes exit on their own, without waiting for a restart', async () => {
    const root = mkdtempSync(join(tmpdir(), 'nanofaas-local-kill9-'));
    // Functions run as a uid of their own under a root control plane: their files must be open to it.
    chmodSync(root, 0o755);
    writeFileSync(join(root, 'handler.mjs'), 'export default async ({ input }) => ({ echo: input });\n');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN_MODULE], {
      cwd: fileURLToPath(new URL('..', import.meta.url)), // where tsx resolves
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        NANOFAAS_DATA_DIR: join(root, 'data'),
        NANOFAAS_FUNCTIONS_ROOT: root,
        NANOFAAS_EXAMPLES: 'false',
        NANOFAAS_LOG_LEVEL: 'warn',
        NANOFAAS_AUTH: 'off',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const owner = child.pid as number;
    const post = async (path: string, body: unknown) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    try {
      const up = await eventually(
        async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.ok === true,
        60_000,
      );
      assert.ok(up, output);
      const functions = [
        { name: 'k9-stdio', runtimeCommand: 'cat', runtimeMode: 'STDIO', scaling: { minReplicas: 2 } },
        ...(existsSync(RUNTIME_CLI)
          ? [
              {
                name: 'k9-http',
                runtimeCommand: `${process.execPath} ${RUNTIME_CLI} ${join(root, 'handler.mjs')}`,
              },
            ]
          : []),
      ];
      for (const spec of functions) {
        const registered = await post('/v1/functions', spec);
        assert.equal(registered.status, 201, await registered.text());
        const invoked = await post(`/v1/functions/${spec.name}:invoke`, { input: 'warm' });
        assert.equal(invoked.status, 200, await invoked.text());
      }
      // STDIO: two watchdogs; HTTP: a watchdog and its runtime.
      const expected = 2 + (functions.length > 1 ? 2 : 0);
      assert.ok(await eventually(() => processesOwnedBy(owner).length >= expected), output);

      child.kill('SIGKILL');
      await exited;
      const gone = await eventually(() => processesOwnedBy(owner).length === 0, 30_000);
      assert.ok(gone, `still running: ${processesOwnedBy(owner).join(', ')}`);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      for (const pid of processesOwnedBy(owner)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      // What the next control plane start would do for the dead one: its scratch directories.
      removeScratchDirsOfDeadControlPlanes(SCRATCH_DIR_PREFIX);
      rmSync(root, { recursive: true, force: true });
    }
  });
});
