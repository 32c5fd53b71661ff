/**
 * Data is never re-encoded (DESIGN.md §3), on the local backend with the real watchdog: every JSON
 * vector of the contracts goes through the control plane to a function that answers with the
 * bytes it was given, and comes back identical from :invoke and from :enqueue + GET
 * /v1/executions/{id}, for a warm HTTP replica (an echo runtime behind the watchdog), warm STDIO and
 * FILE (`cat`), and REMOTE one-shot runs (STDIO `cat`, calling back); the numbers vectors also
 * through the Node runtime, whose echo handler answers with the input it decoded.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type App, buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/load-config.js';
import { eventually, freePort } from './local-test-kit.js';

const ECHO_SERVER = fileURLToPath(new URL('./fixtures/echo-server.mjs', import.meta.url));
const RUNTIME_CLI = fileURLToPath(new URL('../../runtime/dist/cli.js', import.meta.url));
const vectors = (
  JSON.parse(
    readFileSync(new URL('../../contracts/fixtures/json-vectors.json', import.meta.url), 'utf8'),
  ) as { valid: string[] }
).valid;

describe('the local backend keeps the bytes of every JSON vector', { timeout: 600_000 }, () => {
  let root: string;
  let app: App;
  let base: string;
  const post = async (path: string, body: string) => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return { status: response.status, text: await response.text() };
  };
  const get = async (path: string) => (await fetch(`${base}${path}`)).text();

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'nanofaas-lossless-'));
    // Functions run as a uid of their own under a root control plane: their files must be open to it.
    chmodSync(root, 0o755);
    const config = loadConfig(
      {
        NANOFAAS_BACKEND: 'local',
        HOST: '127.0.0.1',
        PORT: String(await freePort()),
        NANOFAAS_DATA_DIR: join(root, 'data'),
        NANOFAAS_LOG_LEVEL: 'silent',
        NANOFAAS_AUTH: 'off',
        NANOFAAS_FUNCTIONS_ROOT: root,
        NANOFAAS_EXAMPLES: 'false',
      },
      root,
    );
    app = buildApp(config, { cwd: root });
    await app.start();
    base = app.url();
    writeFileSync(join(root, 'echo.mjs'), 'export default ({ input }) => input;\n');
    const fixed = { scaling: { minReplicas: 1, maxReplicas: 1 } };
    const specs = [
      {
        name: 'raw-http',
        runtimeCommand: `${process.execPath} ${ECHO_SERVER}`,
        env: { ECHO_RAW: '1' },
        ...fixed,
      },
      { name: 'raw-stdio', runtimeCommand: 'cat', runtimeMode: 'STDIO', ...fixed },
      {
        name: 'raw-file',
        runtimeCommand: 'sh -c \'exec cat "$INPUT_FILE" > "$OUTPUT_FILE"\'',
        runtimeMode: 'FILE',
        ...fixed,
      },
      { name: 'raw-remote', runtimeCommand: 'cat', runtimeMode: 'STDIO', executionMode: 'REMOTE' },
      {
        name: 'node-echo',
        runtimeCommand: `${process.execPath} ${RUNTIME_CLI} ${join(root, 'echo.mjs')}`,
        ...fixed,
      },
    ];
    for (const spec of specs) {
      const created = await post('/v1/functions', JSON.stringify(spec));
      assert.equal(created.status, 201, created.text);
    }
  });

  after(async () => {
    await app?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** Sync and async: the answer's and the record's `output` end with exactly `expected`. */
  async function assertKept(fn: string, body: string, expected: string): Promise<void> {
    const sync = await post(`/v1/functions/${fn}:invoke`, body);
    assert.equal(sync.status, 200, `${fn} ${body}: ${sync.text}`);
    assert.ok(sync.text.endsWith(`"output":${expected}}`), `${fn} sync: ${sync.text}`);
    const queued = await post(`/v1/functions/${fn}:enqueue`, body);
    assert.equal(queued.status, 202, queued.text);
    const { executionId } = JSON.parse(queued.text) as { executionId: string };
    let record = '';
    await eventually(async () => {
      record = await get(`/v1/executions/${executionId}`);
      return record.includes('"status":"success"');
    }, 120_000);
    assert.ok(record.endsWith(`"output":${expected}}`), `${fn} async: ${record}`);
  }

  for (const fn of ['raw-http', 'raw-stdio', 'raw-file', 'raw-remote']) {
    it(`${fn}: the function gets the caller's bytes and the caller gets the function's`, async () => {
      for (const vector of vectors) {
        // These functions answer with the InvocationRequest they were given, as it was sent.
        const body = `{"input":${vector}}`;
        await assertKept(fn, body, body);
      }
    });
  }

  it('node-echo: the Node runtime answers with the numbers as they were written', async () => {
    const numeric = vectors.filter((vector) => !vector.includes('"'));
    assert.ok(numeric.length >= 8);
    for (const vector of numeric)
      await assertKept('node-echo', `{"input":${vector}}`, vector.replace(/\s/g, ''));
  });
});
