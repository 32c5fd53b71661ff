/**
 * The log API: the in-memory store's bounds, the watchdog line parser, and the routes behind the
 * real control plane with the local backend (real watchdog, shell and Node functions).
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type App, buildApp } from '../src/app.js';
import { parseWatchdogLogLine } from '../src/backends/watchdog-log-line.js';
import { loadConfig } from '../src/config/load-config.js';
import type { Clock } from '../src/deps/clock.js';
import { FunctionLogStore } from '../src/logs/function-log-store.js';
import { startTestApp } from './app-test-kit.js';
import { InProcessBackend } from './fixtures/in-process-backend.js';
import { eventually, freePort } from './local-test-kit.js';

const RUNTIME_CLI = fileURLToPath(new URL('../../runtime/dist/cli.js', import.meta.url));

function manualClock(start = Date.parse('2026-12-01T10:00:00Z')): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    setTimer: () => () => undefined,
    advance(ms) {
      now += ms;
    },
  };
}

const storeConfig = { maxLines: 5, maxBytes: 1024 * 1024, maxLineBytes: 64, maxFollowers: 2 };

describe('function log store', () => {
  it('keeps the newest lines per function within the line and byte budgets', () => {
    const store = new FunctionLogStore(storeConfig, manualClock());
    for (let i = 0; i < 8; i++) store.append({ functionName: 'a', stream: 'stderr', line: `line ${i}` });
    store.append({ functionName: 'b', stream: 'stderr', line: 'other' });
    const result = store.query({ functionName: 'a', limit: 100 });
    assert.deepEqual(
      result.items.map((entry) => entry.line),
      ['line 3', 'line 4', 'line 5', 'line 6', 'line 7'],
    );
    assert.equal(result.dropped, true);
    assert.deepEqual(
      store.query({ functionName: 'a', limit: 2 }).items.map((entry) => entry.line),
      ['line 6', 'line 7'],
    );
    assert.equal(store.query({ functionName: 'b', limit: 10 }).dropped, false);

    const bytes = new FunctionLogStore(
      { ...storeConfig, maxLines: 1000, maxBytes: 2048, maxLineBytes: 4096 },
      manualClock(),
    );
    for (let i = 0; i < 10; i++)
      bytes.append({ functionName: 'a', stream: 'stdout', line: 'x'.repeat(1000) });
    assert.equal(bytes.query({ functionName: 'a', limit: 100 }).items.length, 1);
  });

  it('keeps nothing of a function that is not registered (a deleted one still draining)', () => {
    const registered = new Set(['a']);
    const store = new FunctionLogStore(storeConfig, manualClock(), (name) => registered.has(name));
    store.append({ functionName: 'a', stream: 'stderr', line: 'kept' });
    store.append({ functionName: 'gone', stream: 'stderr', line: 'dropped' });
    assert.equal(store.query({ functionName: 'a', limit: 10 }).items.length, 1);
    assert.deepEqual(store.query({ functionName: 'gone', limit: 10 }).items, []);
  });

  it('cuts long lines on a character boundary and marks them', () => {
    const store = new FunctionLogStore(storeConfig, manualClock());
    store.append({ functionName: 'a', stream: 'stderr', line: 'é'.repeat(100) });
    const [entry] = store.query({ functionName: 'a', limit: 1 }).items;
    assert.equal(entry?.truncated, true);
    assert.equal(entry?.line, 'é'.repeat(32));
  });

  it('filters by execution and by time; forgets a deleted function and ends its followers', () => {
    const clock = manualClock();
    const store = new FunctionLogStore(storeConfig, clock);
    store.append({ functionName: 'a', stream: 'stderr', line: 'old', executionId: 'e1' });
    clock.advance(60_000);
    const cutoff = clock.now();
    clock.advance(1);
    store.append({ functionName: 'a', stream: 'stderr', line: 'new', executionId: 'e2' });
    store.append({ functionName: 'a', stream: 'stderr', line: 'no id' });
    assert.deepEqual(
      store.query({ functionName: 'a', executionId: 'e1', limit: 10 }).items.map((entry) => entry.line),
      ['old'],
    );
    assert.deepEqual(
      store.query({ functionName: 'a', sinceMs: cutoff, limit: 10 }).items.map((entry) => entry.line),
      ['new', 'no id'],
    );
    const seen: string[] = [];
    let ended = 0;
    const stop = store.follow(
      { functionName: 'a', executionId: 'e3' },
      (entry) => seen.push(entry.line),
      () => ended++,
    );
    assert.ok(stop);
    assert.ok(
      store.follow(
        { functionName: 'a' },
        () => undefined,
        () => undefined,
      ),
    );
    assert.equal(
      store.follow(
        { functionName: 'a' },
        () => undefined,
        () => undefined,
      ),
      undefined,
      'follower cap',
    );
    store.append({ functionName: 'a', stream: 'stderr', line: 'for e3', executionId: 'e3' });
    store.append({ functionName: 'a', stream: 'stderr', line: 'for e4', executionId: 'e4' });
    assert.deepEqual(seen, ['for e3']);
    store.forget('a');
    assert.equal(ended, 1);
    assert.deepEqual(store.query({ functionName: 'a', limit: 10 }).items, []);
    stop();
    stop();
    assert.ok(
      store.follow(
        { functionName: 'a' },
        () => undefined,
        () => undefined,
      ),
      'a stopped follower frees its slot',
    );
  });
});

describe('watchdog log lines', () => {
  it('keeps function output with its execution id and the watchdog warnings, nothing else', () => {
    assert.deepEqual(
      parseWatchdogLogLine(
        '{"ts":"x","level":"info","msg":"function output","function":"f","executionId":"e1","stream":"stderr","line":"hello"}',
      ),
      { stream: 'stderr', line: 'hello', executionId: 'e1' },
    );
    // A long-lived HTTP runtime logging JSON with its own executionId.
    assert.deepEqual(
      parseWatchdogLogLine(
        JSON.stringify({
          level: 'info',
          msg: 'function output',
          stream: 'stderr',
          line: '{"msg":"hi","executionId":"e9"}',
        }),
      ),
      { stream: 'stderr', line: '{"msg":"hi","executionId":"e9"}', executionId: 'e9' },
    );
    assert.deepEqual(
      parseWatchdogLogLine(
        '{"level":"warn","msg":"runtime exited; restarting","error":{"code":"X","message":"gone"}}',
      ),
      { stream: 'watchdog', line: 'warn: runtime exited; restarting: X gone' },
    );
    assert.equal(
      parseWatchdogLogLine('{"level":"info","msg":"invocation done","executionId":"e1"}'),
      undefined,
    );
    assert.equal(parseWatchdogLogLine('plain text'), undefined);
    assert.equal(parseWatchdogLogLine('{"broken'), undefined);
    assert.equal(parseWatchdogLogLine('[1,2]'), undefined);
  });
});

describe('log API behind the control plane (local backend)', { timeout: 120_000 }, () => {
  let root: string;
  let app: App;
  let base: string;
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  ): Promise<{ status: number; json: any; type: string }> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      json: text === '' ? undefined : JSON.parse(text),
    };
  };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'nanofaas-logs-'));
    // Functions run as a uid of their own when the control plane is root: they must reach it.
    chmodSync(root, 0o755);
    const port = await freePort();
    const config = loadConfig(
      {
        NANOFAAS_AUTH: 'off',
        NANOFAAS_BACKEND: 'local',
        PORT: String(port),
        NANOFAAS_DATA_DIR: join(root, 'data'),
        NANOFAAS_LOG_LEVEL: 'silent',
        NANOFAAS_FUNCTIONS_ROOT: root,
        NANOFAAS_FUNCTION_LOG_LINE_BYTES: '256',
      },
      root,
    );
    app = buildApp(config, { cwd: root });
    await app.start();
    base = app.url();
    // Hostile output: an escape sequence, a fake NDJSON line, a carriage return, a very long line.
    const shell = join(root, 'noisy.sh');
    writeFileSync(
      shell,
      `#!/bin/sh
input=$(cat)
printf 'got %s\\n' "$input" >&2
printf '\\033[31mred\\033[0m\\rover\\n' >&2
printf '{"timestamp":"x","functionName":"other","line":"forged"}\\n' >&2
head -c 5000 /dev/zero | tr '\\0' 'x' >&2
printf '\\n' >&2
printf '{"ok":true}'
`,
    );
    chmodSync(shell, 0o755);
    writeFileSync(
      join(root, 'handler.mjs'),
      `export default async ({ input }, { logger }) => { logger.info('handling', { input }); console.error('plain console line'); return { input }; };\n`,
    );
    for (const spec of [
      {
        name: 'noisy',
        runtimeMode: 'STDIO',
        runtimeCommand: shell,
        scaling: { minReplicas: 0, maxReplicas: 1 },
      },
      {
        name: 'node-logs',
        runtimeMode: 'HTTP',
        runtimeCommand: `${process.execPath} ${RUNTIME_CLI} ${join(root, 'handler.mjs')}`,
        scaling: { minReplicas: 1, maxReplicas: 1 },
      },
      { name: 'oneshot', executionMode: 'REMOTE', runtimeMode: 'STDIO', runtimeCommand: shell },
    ]) {
      const reply = await call('POST', '/v1/functions', spec);
      assert.equal(reply.status, 201, JSON.stringify(reply.json));
    }
  });

  after(async () => {
    await app?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("serves a STDIO function's stderr per function and per execution, bounded and intact", async () => {
    const first = await call('POST', '/v1/functions/noisy:invoke', { input: 'one' });
    assert.equal(first.status, 200, JSON.stringify(first.json));
    const second = await call('POST', '/v1/functions/noisy:invoke', { input: 'two' });
    assert.equal(second.status, 200);
    assert.ok(
      await eventually(async () => (await call('GET', '/v1/functions/noisy/logs')).json.items.length >= 8),
      'lines of both invocations arrive',
    );
    const all = await call('GET', '/v1/functions/noisy/logs');
    assert.match(all.type, /application\/json/);
    const lines = all.json.items.map((entry: { line: string }) => entry.line);
    assert.ok(
      lines.includes('got {"input":"one"}') && lines.includes('got {"input":"two"}'),
      lines.join('\n'),
    );
    assert.ok(lines.includes('\u001b[31mred\u001b[0m\rover'), 'bytes of a line are kept as text');
    const forged = all.json.items.find((entry: { line: string }) => entry.line.includes('forged'));
    assert.equal(forged.functionName, 'noisy', 'a line cannot name another function');
    const long = all.json.items.find((entry: { line: string }) => entry.line.startsWith('xxx'));
    assert.equal(long.truncated, true);
    assert.equal(long.line.length, 256);

    const mine = await call('GET', `/v1/executions/${first.json.executionId}/logs`);
    assert.equal(mine.status, 200);
    assert.ok(mine.json.items.length >= 4);
    for (const entry of mine.json.items) assert.equal(entry.executionId, first.json.executionId);
    assert.ok(mine.json.items.some((entry: { line: string }) => entry.line === 'got {"input":"one"}'));
    assert.ok(!mine.json.items.some((entry: { line: string }) => entry.line === 'got {"input":"two"}'));

    const limited = await call('GET', '/v1/functions/noisy/logs?limit=2');
    assert.equal(limited.json.items.length, 2);
    assert.deepEqual(limited.json.items, all.json.items.slice(-2));
    const future = await call(
      'GET',
      `/v1/functions/noisy/logs?since=${new Date(Date.now() + 60_000).toISOString()}`,
    );
    assert.deepEqual(future.json.items, []);
    assert.equal(
      (await call('GET', '/v1/functions/noisy/logs?since=10m')).json.items.length,
      all.json.items.length,
    );
    // An empty `since` bounds nothing, like none; RFC 3339 allows a lower-case "t" and "z".
    assert.deepEqual((await call('GET', '/v1/functions/noisy/logs?since=')).json.items, all.json.items);
    const lower = new Date(Date.now() + 60_000).toISOString().replace('T', 't').replace('Z', 'z');
    assert.deepEqual((await call('GET', `/v1/functions/noisy/logs?since=${lower}`)).json.items, []);
  });

  it('attributes JSON lines of a warm Node runtime to their execution', async () => {
    const reply = await call('POST', '/v1/functions/node-logs:invoke', { input: { n: 1 } });
    assert.equal(reply.status, 200, JSON.stringify(reply.json));
    const id = reply.json.executionId;
    assert.ok(
      await eventually(async () => (await call('GET', `/v1/executions/${id}/logs`)).json.items.length > 0),
    );
    const mine = (await call('GET', `/v1/executions/${id}/logs`)).json.items;
    assert.ok(
      mine.some((entry: { line: string }) => entry.line.includes('"msg":"handling"')),
      JSON.stringify(mine),
    );
    const all = (await call('GET', '/v1/functions/node-logs/logs')).json.items;
    assert.ok(
      all.some((entry: { line: string; executionId?: string }) => entry.line === 'plain console line'),
    );
  });

  it('follows as NDJSON: backlog, then new lines; an execution stream ends with the execution', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/v1/functions/noisy/logs?follow=true&limit=1`, {
      signal: controller.signal,
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /application\/x-ndjson/);
    const reader = response.body!.getReader();
    const received: string[] = [];
    let text = '';
    const readUntil = async (predicate: () => boolean) => {
      while (!predicate()) {
        const { value, done } = await reader.read();
        if (done) return;
        text += new TextDecoder().decode(value);
        const parts = text.split('\n');
        text = parts.pop() ?? '';
        received.push(...parts);
      }
    };
    await readUntil(() => received.length >= 1);
    const invoked = call('POST', '/v1/functions/noisy:invoke', { input: 'three' });
    await readUntil(() => received.some((line) => line.includes('got {\\"input\\":\\"three\\"}')));
    await invoked;
    for (const line of received) JSON.parse(line);
    controller.abort();

    const queued = await call('POST', '/v1/functions/oneshot:enqueue', { input: 'async' });
    assert.equal(queued.status, 202);
    const stream = await fetch(`${base}/v1/executions/${queued.json.executionId}/logs?follow=true`);
    const body = await stream.text();
    const entries = body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.ok(
      entries.some((entry) => entry.line === 'got {"input":"async"}'),
      body,
    );
    for (const entry of entries) assert.equal(entry.executionId, queued.json.executionId);
  });

  it('names the bad parameter, and 404s unknown functions and executions', async () => {
    for (const [query, field] of [
      ['since=yesterday', 'query since'],
      ['limit=0', 'query limit'],
      ['limit=abc', 'query limit'],
      ['follow=yes', 'query follow'],
    ]) {
      const reply = await call('GET', `/v1/functions/noisy/logs?${query}`);
      assert.equal(reply.status, 400, query);
      assert.equal(reply.json.error.issues[0].field, field);
    }
    assert.equal((await call('GET', '/v1/functions/missing/logs')).json.error.code, 'FUNCTION_NOT_FOUND');
    assert.equal((await call('GET', '/v1/executions/nope/logs')).json.error.code, 'EXECUTION_NOT_FOUND');
  });

  it("drops a function's lines when it is deleted", async () => {
    assert.equal((await call('DELETE', '/v1/functions/noisy')).status, 204);
    assert.equal((await call('GET', '/v1/functions/noisy/logs')).status, 404);
  });
});

describe('log API access', () => {
  it('needs the admin role', async () => {
    const admin = 'admin-key-0123456789abcdef';
    const invoker = 'invoke-key-0123456789abcdef';
    const t = await startTestApp(
      { NANOFAAS_API_KEYS: `${admin}:admin,${invoker}:invoke` },
      { backend: new InProcessBackend() },
    );
    try {
      const as = (key: string) => ({ authorization: `Bearer ${key}` });
      const spec = { name: 'secured', endpointUrl: 'http://127.0.0.1:9/' };
      assert.equal((await t.request('POST', '/v1/functions', spec, as(admin))).status, 201);
      const invoked = await t.request('POST', '/v1/functions/secured:invoke', { input: 1 }, as(invoker));
      for (const path of ['/v1/functions/secured/logs', `/v1/executions/${invoked.json.executionId}/logs`]) {
        assert.equal((await t.request('GET', path)).status, 401, path);
        assert.equal((await t.request('GET', path, undefined, as(invoker))).status, 403, path);
        assert.equal((await t.request('GET', path, undefined, as(admin))).status, 200, path);
      }
    } finally {
      await t.stop();
    }
  });
});
