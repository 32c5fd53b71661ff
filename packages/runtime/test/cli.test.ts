import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { httpRequest, invoke } from './support/http-client.js';
import { fixture, logLines, runCli, type SpawnedServer, spawnServer } from './support/spawn-runtime.js';

/** Polls /metrics until an invocation is running (the handler has been called). */
async function waitForInFlight(url: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const metrics = await httpRequest(`${url}/metrics`);
    if (/^nanofaas_runtime_in_flight 1$/m.test(metrics.text)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the invocation never started');
}

describe('nanofaas-runtime (spawned dist/cli.js)', () => {
  let runtime: SpawnedServer;

  before(async () => {
    runtime = await spawnServer([fixture('behaviours.mjs')], { FUNCTION_NAME: 'behaviours' });
  });
  after(() => runtime.kill());

  it('serves /health and /invoke, the first invocation marked cold', async () => {
    assert.equal((await httpRequest(`${runtime.url}/health`)).status, 200);
    const first = await invoke(runtime.url, { input: { hello: 'world' } });
    assert.equal(first.status, 200);
    assert.deepEqual(first.json(), { hello: 'world' });
    assert.equal(first.headers['x-cold-start'], 'true');
    assert.match(String(first.headers['x-init-duration-ms']), /^\d+$/);
    const second = await invoke(runtime.url, { input: { action: 'describe' } });
    assert.equal(second.headers['x-cold-start'], 'false');
    assert.equal((second.json() as { functionName: string }).functionName, 'behaviours');
  });

  it('keeps serving after a function error, a timeout and a malformed body', async () => {
    assert.equal((await invoke(runtime.url, { input: { action: 'throw' } })).status, 500);
    assert.equal(
      (await invoke(runtime.url, { input: { action: 'hang' } }, { 'X-Timeout-Ms': '100' })).status,
      408,
    );
    assert.equal((await httpRequest(`${runtime.url}/invoke`, { method: 'POST', body: '{' })).status, 400);
    assert.equal((await invoke(runtime.url, { input: 'ok' })).status, 200);
  });

  it('logs a promise rejection nobody handled and keeps serving', async () => {
    const answer = await invoke(runtime.url, { input: { action: 'stray-rejection' } });
    assert.equal(answer.status, 200);
    assert.equal((await invoke(runtime.url, { input: 'after' })).status, 200);
  });

  it('exits 1 with a log line on an uncaught exception (the watchdog restarts it)', async () => {
    const crashing = await spawnServer([fixture('behaviours.mjs')]);
    try {
      assert.equal((await invoke(crashing.url, { input: { action: 'crash-later' } })).status, 200);
      const exited = await crashing.exited;
      assert.equal(exited.code, 1);
      assert.ok(
        logLines(exited.stderr).some(
          (line) =>
            line['msg'] === 'uncaught exception; exiting' &&
            JSON.stringify(line['err']).includes('thrown from a timer'),
        ),
        exited.stderr,
      );
    } finally {
      crashing.kill();
    }
  });

  it('on SIGTERM finishes the in-flight invocation, then exits 0', async () => {
    const draining = await spawnServer([fixture('behaviours.mjs')]);
    try {
      const inFlight = invoke(draining.url, { input: { action: 'sleep', ms: 400 } });
      await waitForInFlight(draining.url);
      draining.child.kill('SIGTERM');
      const answer = await inFlight;
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.json(), { slept: 400 });
      const exited = await draining.exited;
      assert.equal(exited.code, 0);
      assert.ok(logLines(exited.stderr).some((line) => line['msg'] === 'draining'));
    } finally {
      draining.kill();
    }
  });

  it('takes the handler from HANDLER when no argument is given; the argument wins', async () => {
    const fromEnv = await spawnServer([], { HANDLER: fixture('named-handler.cjs') });
    try {
      assert.deepEqual((await invoke(fromEnv.url, { input: 1 })).json(), { commonjs: true, input: 1 });
    } finally {
      fromEnv.kill();
    }
    const fromArgument = await spawnServer([fixture('behaviours.mjs')], {
      HANDLER: fixture('no-handler.mjs'),
    });
    try {
      assert.deepEqual((await invoke(fromArgument.url, { input: 2 })).json(), 2);
    } finally {
      fromArgument.kill();
    }
  });
});

describe('nanofaas-runtime start-up failures', () => {
  const cases: { name: string; args: string[]; env?: Record<string, string>; message: RegExp }[] = [
    {
      name: 'a missing handler module',
      args: ['/nonexistent/fn.js'],
      message: /handler module not found: \/nonexistent\/fn\.js/,
    },
    {
      name: 'a module without a handler export',
      args: [fixture('no-handler.mjs')],
      message: /has no handler export.*it exports: helper, version/,
    },
    {
      name: 'a module that throws while loading',
      args: [fixture('throws-on-import.mjs')],
      message: /failed to load: configuration file missing/,
    },
    {
      name: 'a bad PORT',
      args: [fixture('behaviours.mjs')],
      env: { PORT: 'eighty' },
      message: /PORT: must be a whole number/,
    },
    {
      name: 'a PORT out of range',
      args: [fixture('behaviours.mjs')],
      env: { PORT: '70000' },
      message: /PORT: must be between 0 and 65535/,
    },
    {
      name: 'a bad MAX_BODY_BYTES',
      args: [fixture('behaviours.mjs')],
      env: { MAX_BODY_BYTES: '-1' },
      message: /MAX_BODY_BYTES/,
    },
    {
      name: 'a bad TIMEOUT_MS',
      args: [fixture('behaviours.mjs')],
      env: { TIMEOUT_MS: '0' },
      message: /TIMEOUT_MS/,
    },
    {
      name: 'a bad LOG_LEVEL',
      args: [fixture('behaviours.mjs')],
      env: { LOG_LEVEL: 'loud' },
      message: /LOG_LEVEL/,
    },
    {
      name: 'an unknown option',
      args: ['--sdtio', fixture('behaviours.mjs')],
      message: /unknown option '--sdtio'/,
    },
    { name: 'two handler modules', args: ['a.js', 'b.js'], message: /at most one handler module/ },
  ];
  for (const { name, args, env, message } of cases) {
    it(`exits 1 with a clear message for ${name}`, async () => {
      const exited = await runCli(args, { HOST: '127.0.0.1', PORT: '0', ...env });
      assert.equal(exited.code, 1, exited.stderr);
      const lines = logLines(exited.stderr);
      assert.ok(
        lines.some((line) => line['level'] === 'error' && message.test(String(line['msg']))),
        exited.stderr,
      );
    });
  }

  it('prints its usage with --help', async () => {
    const exited = await runCli(['--help']);
    assert.equal(exited.code, 0);
    assert.match(exited.stdout, /usage: nanofaas-runtime \[--stdio\] \[handler-module\]/);
  });
});
