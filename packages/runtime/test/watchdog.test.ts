import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { httpRequest, invoke } from './support/http-client.js';
import { CLI, fixture } from './support/spawn-runtime.js';

// The runtime as the platform runs it: behind the real watchdog (built by `npm run build`).
const WATCHDOG = fileURLToPath(new URL('../../../watchdog/dist/watchdog', import.meta.url));
const skip = existsSync(WATCHDOG) ? false : `no watchdog binary at ${WATCHDOG} (run npm run build)`;

function startWatchdog(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(WATCHDOG, [], {
    env: { PATH: process.env['PATH'] ?? '', WARM: 'true', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const line = text
        .split('\n')
        .find((candidate) => /"msg":"listening"/.test(candidate) && !/function output/.test(candidate));
      if (line === undefined) return;
      const parsed = JSON.parse(line) as { url?: string; addr?: string; port?: number };
      resolve({ child, url: parsed.url ?? `http://127.0.0.1:${parsed.port}` });
    });
    child.on('exit', (code) => reject(new Error(`watchdog exited with ${code}: ${text}`)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** The watchdog answers /health with 200 once its runtime is up. */
async function waitUntilHealthy(url: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const health = await httpRequest(`${url}/health`).catch(() => undefined);
    if (health?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} never became healthy`);
}

describe('the runtime behind the watchdog', { skip }, () => {
  const started: ChildProcess[] = [];
  let http: string;
  let stdio: string;

  before(async () => {
    const warmHttp = await startWatchdog({
      EXECUTION_MODE: 'HTTP',
      RUNTIME_PORT: String(await freePort()),
      WATCHDOG_CMD: `${process.execPath} ${CLI} ${fixture('behaviours.mjs')}`,
    });
    const warmStdio = await startWatchdog({
      EXECUTION_MODE: 'STDIO',
      WATCHDOG_CMD: `${process.execPath} ${CLI} --stdio ${fixture('behaviours.mjs')}`,
    });
    started.push(warmHttp.child, warmStdio.child);
    http = warmHttp.url;
    stdio = warmStdio.url;
    await waitUntilHealthy(http);
  });
  after(() => {
    for (const child of started) child.kill('SIGKILL');
  });

  for (const mode of ['HTTP', 'STDIO'] as const) {
    it(`${mode}: answers with the output and passes a function error code through`, async () => {
      const url = mode === 'HTTP' ? http : stdio;
      const ok = await invoke(url, { input: { echo: [1, 'two'] } }, { 'X-Execution-Id': 'wd-1' });
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(ok.json(), { echo: [1, 'two'] });
      const failed = await invoke(url, { input: { action: 'fail', code: 'OUT_OF_STOCK', message: 'none' } });
      assert.equal(failed.status, 500, failed.text);
      const { error } = failed.json() as { error: { code: string; message: string } };
      assert.equal(error.code, 'OUT_OF_STOCK');
      assert.equal(error.message, 'none');
    });
  }
});
