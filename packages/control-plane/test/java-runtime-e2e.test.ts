/**
 * The Java examples (examples/java, Spring Boot on runtimes/java) end to end: under the real watchdog
 * binary (warm HTTP and a one-shot run) and through the real control plane's local backend
 * (`:invoke`, `:enqueue`, REMOTE). Skipped, with the reason, when the jars or a JDK are missing.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { command } from '../src/examples/example-functions.js';
import { DEFAULT_JAVA25, findJava, javaExampleFunctions } from '../src/examples/java-example-functions.js';
import { eventually, freePort } from './local-test-kit.js';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const watchdog = join(repositoryRoot, 'watchdog/dist/watchdog');
const mainModule = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const wordStatsJar = join(repositoryRoot, 'examples/java/word-stats/target/word-stats.jar');
const jsonTransformJar = join(repositoryRoot, 'examples/java/json-transform/target/json-transform.jar');
const java = findJava(process.env);
const missing = [watchdog, wordStatsJar, jsonTransformJar].filter((path) => !existsSync(path));
const skip =
  java === undefined
    ? 'no JDK (JAVA_HOME or java on PATH)'
    : missing.length > 0
      ? `${missing.join(', ')} not built (npm run build, with Maven)`
      : false;
// A JVM starts in a second or two, much more on a loaded machine: generous start-up bounds, no timing assertions.
const START_MS = 180_000;
const WORDS_INPUT = { text: 'to be or not to be', topN: 2 };
const WORDS_OUTPUT = '{"words":6,"uniqueWords":4,"top":[{"word":"be","count":2},{"word":"to","count":2}]}';

interface Started {
  readonly child: ChildProcess;
  output: string;
  readonly exited: Promise<number | null>;
}

function start(program: string, args: string[], env: Record<string, string>): Started {
  const child = spawn(program, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const started: Started = {
    child,
    output: '',
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    started.output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    started.output += chunk.toString('utf8');
  });
  return started;
}

async function stop(started: Started | undefined): Promise<void> {
  if (started === undefined || started.child.exitCode !== null || started.child.signalCode !== null) return;
  started.child.kill('SIGTERM');
  const timer = setTimeout(() => started.child.kill('SIGKILL'), 20_000);
  await started.exited;
  clearTimeout(timer);
}

/** POSTs JSON; a string body is sent as it is (JSON.stringify would round 20-digit numbers and drop `.0`). */
async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('Java examples under the real watchdog', { timeout: 4 * START_MS, skip }, () => {
  let warm: Started | undefined;
  let base = '';

  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    warm = start(watchdog, [], {
      WARM: 'true',
      EXECUTION_MODE: 'HTTP',
      FUNCTION_NAME: 'java-word-stats',
      WATCHDOG_CMD: command(java ?? 'java', '-jar', wordStatsJar),
      HOST: '127.0.0.1',
      PORT: String(port),
      RUNTIME_PORT: String(await freePort()),
      HEALTH_TIMEOUT_MS: String(START_MS),
    });
    const ready = await eventually(
      async () => (await fetch(`${base}/health`).catch(() => undefined))?.status === 200,
      START_MS,
      100,
    );
    assert.ok(ready, warm.output);
  });
  after(() => stop(warm));

  it('serves warm invocations through the proxy, byte for byte', async () => {
    const answer = await post(`${base}/invoke`, { input: WORDS_INPUT }, { 'X-Execution-Id': 'exec-java-1' });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.text, WORDS_OUTPUT);
    assert.equal(answer.headers.get('x-execution-id'), 'exec-java-1');
  });

  it("passes the function's own error code through with status 500", async () => {
    const answer = await post(`${base}/invoke`, { input: { text: 7 } });
    assert.equal(answer.status, 500, answer.text);
    const { error } = JSON.parse(answer.text);
    assert.equal(error.code, 'INVALID_INPUT');
    assert.equal(error.origin, 'function');
    assert.match(error.message, /field "text": must be a string, got number 7/);
  });

  it('answers bad JSON with 400 (from the watchdog, before the runtime)', async () => {
    const response = await fetch(`${base}/invoke`, {
      method: 'POST',
      body: '{"input":',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(response.status, 400);
  });

  it('runs a one-shot invocation (REMOTE): the watchdog starts the JVM, invokes once, reports, exits', async () => {
    const run = start(watchdog, [], {
      EXECUTION_MODE: 'HTTP',
      FUNCTION_NAME: 'java-json-transform',
      WATCHDOG_CMD: command(java ?? 'java', '-jar', jsonTransformJar),
      EXECUTION_ID: 'exec-oneshot-java',
      RUNTIME_PORT: String(await freePort()),
      HEALTH_TIMEOUT_MS: String(START_MS),
      INVOCATION_PAYLOAD:
        '{"input":{"document":{"user":{"name":"ada"},"id":7,"price":7.0},' +
        '"operations":[{"op":"rename","from":"user.name","to":"name"},{"op":"uppercase","fields":["name"]}]}}',
    });
    const code = await run.exited;
    assert.equal(code, 0, run.output);
    const result = run.output.split('\n').find((line) => line.startsWith('{"success"'));
    assert.equal(result, '{"success":true,"output":{"user":{},"id":7,"price":7.0,"name":"ADA"}}', run.output);
  });
});

describe('Java examples through the control plane (local backend)', { timeout: 6 * START_MS, skip }, () => {
  let plane: Started | undefined;
  let dataDir = '';
  let base = '';

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nanofaas-java-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    plane = start(process.execPath, ['--import', 'tsx', mainModule], {
      PORT: String(port),
      NANOFAAS_AUTH: 'off',
      NANOFAAS_EXAMPLES: 'false',
      NANOFAAS_DATA_DIR: dataDir,
      NANOFAAS_LOG_LEVEL: 'warn',
      NANOFAAS_LOCAL_READY_TIMEOUT_MS: String(START_MS),
    });
    const up = await eventually(
      async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.status === 200,
      60_000,
      100,
    );
    assert.ok(up, plane.output);
    for (const spec of [
      {
        name: 'jws',
        runtimeMode: 'HTTP',
        runtimeCommand: command(java ?? 'java', '-jar', wordStatsJar),
        timeoutMs: 10_000,
        scaling: { minReplicas: 1, maxReplicas: 1 },
      },
      {
        name: 'jjt-remote',
        runtimeMode: 'HTTP',
        executionMode: 'REMOTE',
        runtimeCommand: command(java ?? 'java', '-jar', jsonTransformJar),
        // A one-shot run's timeout covers the JVM's start.
        timeoutMs: START_MS,
        // The watchdog's one-shot health wait (10 s by default) is short for a JVM on a loaded machine.
        env: { HEALTH_TIMEOUT_MS: String(START_MS) },
      },
      // As `npm start` registers it: scaled to zero, on the JDK 25 AOT cache when the build made one.
      javaExampleFunctions(repositoryRoot, { java, java25: DEFAULT_JAVA25 })[1]?.spec,
    ]) {
      const created = await post(`${base}/v1/functions`, spec);
      assert.equal(created.status, 201, created.text);
    }
  });
  after(async () => {
    await stop(plane);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(':invoke answers with the function output, and its error with its code', async () => {
    const answer = await post(
      `${base}/v1/functions/jws:invoke`,
      { input: WORDS_INPUT },
      { 'X-Timeout-Ms': String(START_MS) },
    );
    assert.equal(answer.status, 200, answer.text);
    assert.ok(answer.text.includes(`"output":${WORDS_OUTPUT}`), answer.text);
    const bad = await post(`${base}/v1/functions/jws:invoke`, { input: { text: 'a', topN: 0 } });
    assert.equal(bad.status, 500, bad.text);
    assert.equal(JSON.parse(bad.text).error.code, 'INVALID_INPUT');
  });

  it('cold-starts the scale-to-zero example (the JDK 25 AOT cache when built)', async () => {
    const answer = await post(
      `${base}/v1/functions/java-json-transform:invoke`,
      { input: { document: { id: 7, name: 'ada' }, operations: [{ op: 'uppercase', fields: ['name'] }] } },
      { 'X-Timeout-Ms': String(START_MS) },
    );
    assert.equal(answer.status, 200, answer.text);
    // Compared as JSON: the local backend's watchdog client re-encodes function output today (7.0
    // becomes 7 there); the watchdog and the Java runtime keep the bytes (tests above and in runtimes/java).
    assert.deepEqual(JSON.parse(answer.text).output, { id: 7, name: 'ADA' });
    assert.equal(JSON.parse(answer.text).coldStart, true);
  });

  it(':enqueue runs the execution and records its result', async () => {
    const enqueued = await post(`${base}/v1/functions/jws:enqueue`, { input: 'one two two' });
    assert.equal(enqueued.status, 202, enqueued.text);
    const { executionId } = JSON.parse(enqueued.text);
    let record: { status: string; output?: unknown } | undefined;
    const done = await eventually(
      async () => {
        record = (await (await fetch(`${base}/v1/executions/${executionId}`)).json()) as typeof record;
        return record?.status === 'success';
      },
      START_MS,
      100,
    );
    assert.ok(done, JSON.stringify(record));
    assert.deepEqual(record?.output, {
      words: 3,
      uniqueWords: 2,
      top: [
        { word: 'two', count: 2 },
        { word: 'one', count: 1 },
      ],
    });
  });

  it('runs a REMOTE Java function once per invocation', async () => {
    // Plain numbers: the control plane's completion-callback path re-encodes the output today (a
    // 20-digit integer comes back rounded there; the Java runtime and the watchdog keep it, see the
    // one-shot test above and runtimes/java's tests).
    const answer = await post(
      `${base}/v1/functions/jjt-remote:invoke`,
      '{"input":{"document":{"user":{"name":"ada"},"id":7},"operations":[{"op":"uppercase","fields":["user.name"]}]}}',
      { 'X-Timeout-Ms': String(START_MS) },
    );
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(JSON.parse(answer.text).output, { user: { name: 'ADA' }, id: 7 });
    const failed = await post(`${base}/v1/functions/jjt-remote:invoke`, {
      input: { document: {}, operations: 'pick' },
    });
    assert.equal(failed.status, 500, failed.text);
    assert.equal(JSON.parse(failed.text).error.code, 'INVALID_OPERATION');
  });
});
