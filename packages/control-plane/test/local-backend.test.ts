import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ExecutionMode, RuntimeMode } from '@nanofaas/contracts';
import type { DispatchResult } from '../src/backends/backend.js';
import { ECHO_SERVER_PATH } from './fixtures/echo-process.js';

const RUNTIME_CLI = fileURLToPath(new URL('../../runtime/dist/cli.js', import.meta.url));

import { eventually, type LocalKit, processesOf, startLocalKit } from './local-test-kit.js';

const ECHO_HTTP = `${process.execPath} ${ECHO_SERVER_PATH}`;
const STDIO_SCRIPT = `#!/bin/sh
# Echoes the InvocationRequest and who ran it.
request=$(cat)
printf '{"request":%s,"pid":%s,"version":"%s"}\\n' "$request" "$$" "\${VERSION:-none}"
`;
const FILE_SCRIPT = `#!/bin/bash
set -euo pipefail
request=$(cat "$INPUT_FILE")
printf '{"request":%s,"bytes":%d}' "$request" "\${#request}" > "$OUTPUT_FILE"
`;

function output<T>(result: DispatchResult): T {
  assert.equal(result.ok, true, JSON.stringify(result));
  return JSON.parse((result as { output: Buffer }).output.toString()) as T;
}

function errorCode(result: DispatchResult): string {
  assert.equal(result.ok, false, JSON.stringify(result));
  return (result as { error: { code: string } }).error.code;
}

describe('local backend, end to end with the real watchdog', { timeout: 240_000 }, () => {
  let kit: LocalKit;
  let stdioScript: string;
  let fileScript: string;

  before(async () => {
    kit = await startLocalKit(
      {},
      { ...process.env, NANOFAAS_API_KEYS: 'admin:s3cret', NANOFAAS_DB_PATH: '/x' },
    );
    stdioScript = kit.script('echo-stdio.sh', STDIO_SCRIPT);
    fileScript = kit.script('echo-file.sh', FILE_SCRIPT);
  });
  after(async () => {
    await kit?.cleanup();
  });

  const commands = (): Record<RuntimeMode, string> => ({
    HTTP: ECHO_HTTP,
    STDIO: stdioScript,
    FILE: fileScript,
  });

  for (const executionMode of ['DEPLOYMENT', 'REMOTE'] as ExecutionMode[]) {
    for (const runtimeMode of ['HTTP', 'STDIO', 'FILE'] as RuntimeMode[]) {
      it(`invokes a ${runtimeMode} function as ${executionMode}`, async () => {
        const fn = await kit.deploy({ runtimeCommand: commands()[runtimeMode], runtimeMode, executionMode });
        const result = await kit.backend.invoke(fn, kit.dispatch(fn, { echo: 'hi there' }));
        const out = output<{ echo?: unknown; request?: { input: { echo: unknown } } }>(result);
        const echoed = runtimeMode === 'HTTP' ? out.echo : out.request?.input.echo;
        assert.equal(echoed, 'hi there');
        await kit.backend.removeFunction(fn.spec.name);
      });
    }
  }

  it('scales out when concurrency exceeds one replica, never above concurrency per replica', async () => {
    const fn = await kit.deploy({
      runtimeCommand: ECHO_HTTP,
      concurrency: 1,
      scaling: { minReplicas: 1, maxReplicas: 3 },
    });
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        kit.backend.invoke(fn, kit.dispatch(fn, { echo: i, sleepMs: 1_200 })),
      ),
    );
    const outputs = results.map((result) => output<{ instance: string; inFlight: number }>(result));
    const instances = new Set(outputs.map((out) => out.instance));
    assert.ok(instances.size >= 2, `expected several replicas, got ${[...instances].join(', ')}`);
    assert.ok(instances.size <= 3, `at most maxReplicas replicas, got ${instances.size}`);
    for (const out of outputs) assert.equal(out.inFlight, 1, 'a replica ran more than `concurrency` at once');
    await kit.backend.removeFunction(fn.spec.name);
  });

  it('queues a burst far above capacity and serves all of it within the per-replica cap', async () => {
    const fn = await kit.deploy({
      runtimeCommand: ECHO_HTTP,
      concurrency: 2,
      scaling: { minReplicas: 0, maxReplicas: 2 },
    });
    const results = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        kit.backend.invoke(fn, kit.dispatch(fn, { echo: i, sleepMs: 20 })),
      ),
    );
    const outputs = results.map((result) =>
      output<{ echo: number; instance: string; inFlight: number }>(result),
    );
    assert.deepEqual(
      outputs.map((out) => out.echo),
      Array.from({ length: 120 }, (_, i) => i),
    );
    assert.ok(new Set(outputs.map((out) => out.instance)).size <= 2);
    assert.ok(Math.max(...outputs.map((out) => out.inFlight)) <= 2);
    await kit.backend.removeFunction(fn.spec.name);
  });

  it('scales to zero when idle and cold-starts on the next request', async () => {
    const fn = await kit.deploy({
      runtimeCommand: ECHO_HTTP,
      scaling: { minReplicas: 0, maxReplicas: 2, idleTimeoutMs: 500 },
    });
    assert.equal(kit.backend.describeFunction(fn.spec.name)?.state, 'scaled-to-zero');
    const first = await kit.backend.invoke(fn, kit.dispatch(fn, { echo: 1 }));
    assert.equal(output<{ echo: number }>(first).echo, 1);
    assert.equal(first.coldStart, true, 'the first request waited for a replica');
    const warm = await kit.backend.invoke(fn, kit.dispatch(fn, { echo: 2 }));
    assert.equal(warm.coldStart, false);

    const scaledDown = await eventually(
      () =>
        kit.backend.describeFunction(fn.spec.name)?.state === 'scaled-to-zero' &&
        processesOf(fn.spec.name).length === 0,
    );
    assert.ok(scaledDown, JSON.stringify(kit.backend.describeFunction(fn.spec.name)));

    const again = await kit.backend.invoke(fn, kit.dispatch(fn, { echo: 3 }));
    assert.equal(output<{ echo: number }>(again).echo, 3);
    assert.equal(again.coldStart, true);
    assert.ok(
      kit.backend.renderMetrics().includes(`nanofaas_local_cold_starts_total{function="${fn.spec.name}"} 2`),
    );
    await kit.backend.removeFunction(fn.spec.name);
  });

  it('fails over after kill -9 of a replica mid-request: the attempt fails retryably and the retry succeeds', async () => {
    const fn = await kit.deploy({ runtimeCommand: ECHO_HTTP, scaling: { minReplicas: 1, maxReplicas: 2 } });
    await kit.backend.invoke(fn, kit.dispatch(fn, { echo: 'warm' }));
    const instances = (
      kit.backend.describeFunction(fn.spec.name) as unknown as { instances: { pid: number }[] }
    ).instances;
    const victim = instances[0]?.pid;
    assert.ok(victim !== undefined);
    const pending = kit.backend.invoke(fn, kit.dispatch(fn, { echo: 'slow', sleepMs: 5_000 }));
    const inFlight = () =>
      (kit.backend.describeFunction(fn.spec.name) as unknown as { instances: { inFlight: number }[] })
        .instances[0]?.inFlight === 1;
    assert.ok(await eventually(inFlight), 'the slow request never reached the replica');
    await new Promise((resolve) => setTimeout(resolve, 300)); // let it reach the runtime
    process.kill(victim, 'SIGKILL');
    const failed = await pending;
    assert.equal(failed.ok, false);
    const error = (failed as { error: { code: string; retryable?: boolean; origin?: string } }).error;
    assert.equal(error.retryable, true, JSON.stringify(error));
    assert.equal(error.origin, 'platform');

    const retried = await kit.backend.invoke(fn, kit.dispatch(fn, { echo: 'retry' }, { attempt: 2 }));
    assert.equal(output<{ echo: string; attempt: number }>(retried).echo, 'retry');
    // The killed watchdog's runtime was swept, not orphaned.
    const orphanFree = await eventually(() => !processesOf(fn.spec.name).includes(victim));
    assert.ok(orphanFree);
    await kit.backend.removeFunction(fn.spec.name);
  });

  it('rides out a runtime crash inside a replica: the watchdog restarts it and requests wait for it', {
    skip: !existsSync(RUNTIME_CLI) && 'packages/runtime is not built',
  }, async () => {
    const handler = join(kit.root, 'crashy.mjs');
    writeFileSync(
      handler,
      'export default ({ input }) => { if (input?.crash) process.exit(7); return { pid: process.pid }; };\n',
    );
    const fn = await kit.deploy({
      runtimeCommand: `${process.execPath} ${RUNTIME_CLI} ${handler}`,
      scaling: { minReplicas: 1, maxReplicas: 1 },
    });
    const before = output<{ pid: number }>(await kit.backend.invoke(fn, kit.dispatch(fn, {})));
    const crashed = await kit.backend.invoke(fn, kit.dispatch(fn, { crash: true }));
    assert.equal(crashed.ok, false);
    // The next request meets a watchdog whose runtime is restarting: it waits for it instead of
    // failing with NOT_READY. (A request that reaches the dying runtime in the instant before the
    // watchdog notices fails retryably; the scheduler retries it, as this loop does.)
    let result = await kit.backend.invoke(fn, kit.dispatch(fn, {}));
    for (let attempt = 2; !result.ok && result.error.retryable === true && attempt <= 3; attempt++) {
      result = await kit.backend.invoke(fn, kit.dispatch(fn, {}, { attempt }));
    }
    const after = output<{ pid: number }>(result);
    assert.notEqual(after.pid, before.pid, 'a new runtime process serves');
    await kit.backend.removeFunction(fn.spec.name);
  });

  it('rolls replicas on update: new revision serves, old processes are gone', async () => {
    const fn = await kit.deploy({
      runtimeCommand: stdioScript,
      runtimeMode: 'STDIO',
      env: { VERSION: 'one' },
    });
    const v1 = output<{ version: string }>(await kit.backend.invoke(fn, kit.dispatch(fn, {})));
    assert.equal(v1.version, 'one');
    const oldPids = processesOf(fn.spec.name);
    assert.ok(oldPids.length > 0);

    const updated = { spec: { ...fn.spec, env: { VERSION: 'two' } }, revision: 2 };
    await kit.backend.ensureFunction(updated);
    // Like a Kubernetes rolling update, old replicas serve until new ones are ready.
    let version = 'one';
    const deadline = Date.now() + 20_000;
    while (version === 'one' && Date.now() < deadline) {
      const result = await kit.backend.invoke(updated, kit.dispatch(updated, {}));
      version = output<{ version: string }>(result).version;
    }
    assert.equal(version, 'two');
    const rolled = await eventually(() => processesOf(fn.spec.name).every((pid) => !oldPids.includes(pid)));
    assert.ok(rolled, 'old replicas still running after the roll');
    await kit.backend.removeFunction(fn.spec.name);
  });

  it('delete drains in-flight work and leaves no process behind', async () => {
    const fn = await kit.deploy({ runtimeCommand: ECHO_HTTP, scaling: { minReplicas: 2, maxReplicas: 2 } });
    await kit.backend.invoke(fn, kit.dispatch(fn, { echo: 'warm' }));
    assert.ok(await eventually(() => kit.backend.describeFunction(fn.spec.name)?.readyReplicas === 2));
    assert.ok(processesOf(fn.spec.name).length >= 4, 'two watchdogs and two runtimes');
    const inFlight = kit.backend.invoke(fn, kit.dispatch(fn, { echo: 'last', sleepMs: 500 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await kit.backend.removeFunction(fn.spec.name);
    assert.equal(output<{ echo: string }>(await inFlight).echo, 'last');
    assert.deepEqual(processesOf(fn.spec.name), []);
    assert.equal(kit.backend.describeFunction(fn.spec.name), undefined);
    // A late invoke (a retry racing the delete) does not bring the function back.
    assert.equal(errorCode(await kit.backend.invoke(fn, kit.dispatch(fn, {}))), 'FUNCTION_DELETED');
    assert.deepEqual(processesOf(fn.spec.name), []);
  });

  it('reports a command that does not exist at once and keeps the function visibly failed', async () => {
    const fn = await kit.deploy({ runtimeCommand: 'definitely-not-a-command --flag' });
    const status = kit.backend.describeFunction(fn.spec.name);
    assert.equal(status?.state, 'failed');
    assert.match(status?.message ?? '', /definitely-not-a-command/);
    const result = await kit.backend.invoke(fn, kit.dispatch(fn, {}));
    assert.equal(errorCode(result), 'SPAWN_FAILED');
    assert.match((result as { error: { message: string } }).error.message, /definitely-not-a-command/);
    assert.equal(kit.backend.describeFunction(fn.spec.name)?.state, 'failed');
    await kit.backend.removeFunction(fn.spec.name);
  });

  it('refuses an env value no process can take (NUL), naming the variable, for both modes', async () => {
    for (const executionMode of ['DEPLOYMENT', 'REMOTE'] as const) {
      const fn = await kit.deploy({
        runtimeCommand: stdioScript,
        runtimeMode: 'STDIO',
        executionMode,
        env: { BAD: 'a\0b' },
      });
      assert.equal(kit.backend.describeFunction(fn.spec.name)?.state, 'failed');
      const result = await kit.backend.invoke(fn, kit.dispatch(fn, {}));
      assert.equal(errorCode(result), 'SPAWN_FAILED');
      assert.match((result as { error: { message: string } }).error.message, /env\.BAD/);
      await kit.backend.removeFunction(fn.spec.name);
    }
  });

  it('marks a runtime that keeps crashing as failed instead of letting requests hang', async () => {
    const crasher = kit.script('crash.sh', '#!/bin/sh\necho "cannot load handler" >&2\nexit 3\n');
    const fn = await kit.deploy({ runtimeCommand: crasher, timeoutMs: 60_000 });
    const result = await kit.backend.invoke(fn, kit.dispatch(fn, {}));
    assert.equal(errorCode(result), 'FUNCTION_UNAVAILABLE');
    assert.match((result as { error: { message: string } }).error.message, /cannot load handler|exit/);
    const status = kit.backend.describeFunction(fn.spec.name);
    assert.equal(status?.state, 'failed', JSON.stringify(status));
    await kit.backend.removeFunction(fn.spec.name);
    assert.deepEqual(processesOf(fn.spec.name), []);
  });

  it('gives functions a sanitised environment: no control-plane secrets, the spec env and PATH', async () => {
    const envScript = kit.script(
      'env.sh',
      `#!/bin/sh\ncat > /dev/null\nprintf '{"keys":"%s","custom":"%s"}' "$(env | cut -d= -f1 | sort | tr '\\n' ' ')" "$CUSTOM"\n`,
    );
    const fn = await kit.deploy({ runtimeCommand: envScript, runtimeMode: 'STDIO', env: { CUSTOM: 'yes' } });
    const out = output<{ keys: string; custom: string }>(await kit.backend.invoke(fn, kit.dispatch(fn, {})));
    const keys = out.keys.split(' ');
    assert.equal(out.custom, 'yes');
    assert.ok(keys.includes('PATH'));
    assert.ok(!keys.some((key) => key.startsWith('NANOFAAS_')), out.keys);
    await kit.backend.removeFunction(fn.spec.name);
  });

  it('rejects a workdir outside the functions root, naming the field', async () => {
    await assert.rejects(
      kit.deploy({ runtimeCommand: ECHO_HTTP, workdir: '../../etc' }),
      (error: Error & { info?: { issues?: { field: string }[] } }) => {
        assert.match(error.message, /workdir/);
        assert.equal(error.info?.issues?.[0]?.field, 'workdir');
        return true;
      },
    );
  });

  it('pins the replica count and returns to autoscaling', async () => {
    const fn = await kit.deploy({ runtimeCommand: ECHO_HTTP, scaling: { minReplicas: 1, maxReplicas: 3 } });
    await kit.backend.scaleFunction(fn.spec.name, 3);
    assert.ok(await eventually(() => kit.backend.describeFunction(fn.spec.name)?.readyReplicas === 3));
    await kit.backend.scaleFunction(fn.spec.name, 0);
    assert.ok(await eventually(() => processesOf(fn.spec.name).length === 0));
    assert.equal(errorCode(await kit.backend.invoke(fn, kit.dispatch(fn, {}))), 'FUNCTION_UNAVAILABLE');
    await kit.backend.scaleFunction(fn.spec.name, null);
    assert.equal(
      output<{ echo: number }>(await kit.backend.invoke(fn, kit.dispatch(fn, { echo: 7 }))).echo,
      7,
    );
    await kit.backend.removeFunction(fn.spec.name);
  });

  it('a REMOTE run that exits without calling back fails the attempt with RUN_LOST', async () => {
    // A one-shot run whose callback is refused (wrong token): the watchdog gives up and exits.
    const fn = await kit.deploy({
      runtimeCommand: stdioScript,
      runtimeMode: 'STDIO',
      executionMode: 'REMOTE',
    });
    const dispatch = kit.dispatch(fn, {});
    const lost = { ...dispatch, completion: { ...dispatch.completion!, token: 'not-the-token' } };
    const result = await kit.backend.invoke(fn, lost);
    assert.equal(errorCode(result), 'RUN_LOST');
    assert.equal((result as { error: { retryable?: boolean } }).error.retryable, true);
    await kit.backend.removeFunction(fn.spec.name);
  });

  it('enforces resources.memory where a memory cgroup is writable', async (t) => {
    if (!kit.backend.describeMemoryLimits().startsWith('cgroup')) {
      t.skip(`memory limits: ${kit.backend.describeMemoryLimits()}`);
      return;
    }
    const hog = kit.script(
      'hog.sh',
      `#!/bin/sh\ncat > /dev/null\nexec ${process.execPath} -e "const a = []; for (let i = 0; i < 20; i++) a.push(Buffer.alloc(10 * 1024 * 1024, 1)); console.log(JSON.stringify({ mb: a.length * 10 }))"\n`,
    );
    const limited = await kit.deploy({
      runtimeCommand: hog,
      runtimeMode: 'STDIO',
      resources: { memory: '64Mi' },
    });
    const killed = await kit.backend.invoke(limited, kit.dispatch(limited, {}));
    assert.equal(errorCode(killed), 'FUNCTION_FAILED');
    assert.match((killed as { error: { message: string } }).error.message, /resources\.memory is 64Mi/);
    const roomy = await kit.deploy({
      runtimeCommand: hog,
      runtimeMode: 'STDIO',
      resources: { memory: '1Gi' },
    });
    assert.equal(output<{ mb: number }>(await kit.backend.invoke(roomy, kit.dispatch(roomy, {}))).mb, 200);
    await kit.backend.removeFunction(limited.spec.name);
    await kit.backend.removeFunction(roomy.spec.name);
  });

  it('on start, kills function processes a control plane that died (kill -9) left behind', async () => {
    // A "control plane" that is gone, and a function process it started.
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    const orphanName = `orphan${process.pid}`;
    const orphan = spawn('sleep', ['60'], {
      detached: true,
      stdio: 'ignore',
      env: { PATH: process.env.PATH, FAAS_INSTANCE_ID: `${orphanName}-${dead.toString(36)}-1` },
    });
    orphan.unref();
    assert.ok(await eventually(() => processesOf(orphanName).length === 1));
    const scratch = mkdtempSync(join(tmpdir(), `nanofaas-instance-${orphanName}-${dead.toString(36)}-1-`));
    const other = await startLocalKit();
    assert.ok(await eventually(() => processesOf(orphanName).length === 0), 'the orphan survived');
    assert.equal(existsSync(scratch), false, 'its scratch directory survived');
    await other.cleanup();
  });

  it('passes REMOTE payloads of any size up to the body limit: small inline, large through a private file', async () => {
    // Reports the bytes it got and, when there is one, the mode of the payload file next to INPUT_FILE.
    const counter = kit.script(
      'count.sh',
      `#!/bin/sh
bytes=$(cat | wc -c | tr -d ' ')
file="$(dirname "$INPUT_FILE")/payload.json"
mode=$(if [ -e "$file" ]; then stat -c %a "$file"; else echo none; fi)
printf '{"bytes":%s,"mode":"%s","fileVar":"%s"}' "$bytes" "$mode" "\${INVOCATION_PAYLOAD_FILE:-unset}"
`,
    );
    const fn = await kit.deploy({ runtimeCommand: counter, runtimeMode: 'STDIO', executionMode: 'REMOTE' });
    const scratchDirs = () =>
      readdirSync(tmpdir()).filter((entry) => entry.startsWith(`nanofaas-instance-${fn.spec.name}-`));
    const small = await kit.backend.invoke(fn, kit.dispatch(fn, 'x'.repeat(1_000)));
    assert.deepEqual(output(small), { bytes: 1_012, mode: 'none', fileVar: 'unset' });
    const large = await kit.backend.invoke(fn, kit.dispatch(fn, 'x'.repeat(1024 * 1024)));
    // The function reads it on stdin as usual; the file is private and its name is not passed on.
    assert.deepEqual(output(large), { bytes: 1024 * 1024 + 12, mode: '600', fileVar: 'unset' });
    assert.ok(await eventually(() => scratchDirs().length === 0), 'the payload file outlived its run');
    await kit.backend.removeFunction(fn.spec.name);
  });

  it('stop SIGTERMs every watchdog and leaves no process behind', async () => {
    const other = await startLocalKit();
    const http = await other.deploy({
      runtimeCommand: ECHO_HTTP,
      scaling: { minReplicas: 2, maxReplicas: 2 },
    });
    const stdio = await other.deploy({ runtimeCommand: stdioScript, runtimeMode: 'STDIO' });
    await other.backend.invoke(http, other.dispatch(http, {}));
    await other.backend.invoke(stdio, other.dispatch(stdio, {}));
    assert.ok(processesOf(http.spec.name).length > 0);
    await other.cleanup();
    assert.deepEqual([...processesOf(http.spec.name), ...processesOf(stdio.spec.name)], []);
  });
});
