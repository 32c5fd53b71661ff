/**
 * The example functions `npm start` registers: registration rules, then the real control plane
 * (src/main.ts) started as `npm start` starts it, each example invoked as the README shows.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type FunctionSpec, type ResolvedFunctionSpec, resolveFunctionSpec } from '@nanofaas/contracts';
import { exampleFunctions } from '../src/examples/example-functions.js';
import { type ExampleRegistry, registerExamples } from '../src/examples/register-examples.js';
import { eventually, freePort } from './local-test-kit.js';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const mainModule = fileURLToPath(new URL('../src/main.ts', import.meta.url));

function memoryRegistry(initial: FunctionSpec[] = []) {
  const specs = new Map<string, ResolvedFunctionSpec>(
    initial.map((spec) => [spec.name, resolveFunctionSpec(spec)]),
  );
  const calls: string[] = [];
  const registry: ExampleRegistry = {
    async register(spec) {
      calls.push(`register ${spec.name}`);
      specs.set(spec.name, resolveFunctionSpec(spec));
    },
    async update(name, spec) {
      calls.push(`update ${name}`);
      specs.set(name, resolveFunctionSpec(spec));
    },
    deployed: (name) => {
      const spec = specs.get(name);
      return spec === undefined ? undefined : { spec };
    },
  };
  return { registry, calls };
}

describe('example registration', () => {
  it('skips an example whose files are missing, logs why, and registers the others', async () => {
    const examples = exampleFunctions('/nonexistent/checkout', process.execPath);
    const [first] = exampleFunctions(repositoryRoot, process.execPath);
    const { registry, calls } = memoryRegistry();
    const lines: string[] = [];
    const result = await registerExamples([...examples, ...(first ? [first] : [])], registry, (line) =>
      lines.push(line),
    );
    assert.equal(result.skipped.length, examples.length);
    assert.ok(
      lines.every((line) => /skipped: .*not found/.test(line)),
      lines.join('\n'),
    );
    if (first?.requires.every((path) => existsSync(path))) assert.deepEqual(calls, ['register word-stats']);
  });

  it('keeps an example registered by an earlier run, and updates it when its command changed', async () => {
    const [wordStats, jsonTransform] = exampleFunctions(repositoryRoot, process.execPath);
    assert.ok(wordStats && jsonTransform);
    const moved = { ...jsonTransform.spec, runtimeCommand: 'node /old/place/cli.js' };
    const { registry, calls } = memoryRegistry([wordStats.spec, moved]);
    const noFiles = [wordStats, jsonTransform].map((example) => ({ ...example, requires: [] }));
    const result = await registerExamples(noFiles, registry, () => undefined);
    assert.deepEqual(result.registered, ['word-stats', 'json-transform']);
    assert.deepEqual(calls, ['update json-transform']);
  });

  it('adds the Python examples, named apart from the TypeScript ones, given a nanofaas-python', () => {
    const runtime = '/venv/bin/nanofaas-python';
    const python = exampleFunctions(repositoryRoot, process.execPath, runtime).slice(5);
    assert.deepEqual(
      python.map((example) => example.spec.name),
      ['python-word-stats', 'python-json-transform'],
    );
    for (const example of python) {
      assert.equal(example.spec.runtimeCommand, runtime);
      assert.ok(example.requires.includes(runtime));
      assert.ok(existsSync(join(example.spec.env?.['PYTHONPATH'] ?? '', 'handler.py')));
    }
    assert.equal(exampleFunctions(repositoryRoot, process.execPath).length, 5);
  });

  it('never throws: a registration error skips that example', async () => {
    const [wordStats] = exampleFunctions(repositoryRoot, process.execPath);
    assert.ok(wordStats);
    const registry: ExampleRegistry = {
      register: async () => {
        throw new Error('disk full');
      },
      update: async () => undefined,
      deployed: () => undefined,
    };
    const lines: string[] = [];
    const result = await registerExamples([{ ...wordStats, requires: [] }], registry, (line) =>
      lines.push(line),
    );
    assert.deepEqual(result.skipped, ['word-stats']);
    assert.match(lines[0] ?? '', /word-stats.*disk full/);
  });
});

/** Pids of live processes started by the control plane with pid `owner`. */
function processesOwnedBy(owner: number): number[] {
  const marker = new RegExp(`FAAS_INSTANCE_ID=[a-z0-9-]+-${owner.toString(36)}-\\d+\0`);
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (marker.test(readFileSync(`/proc/${entry}/environ`, 'latin1'))) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const built = exampleFunctions(repositoryRoot, process.execPath).every((example) =>
  example.requires.every((path) => existsSync(path)),
);

describe('npm start: the control plane with the examples', {
  timeout: 180_000,
  skip: !built && 'run npm run build first',
}, () => {
  let child: ChildProcess;
  let dataDir: string;
  let base: string;
  let output = '';
  // As the README does: the admin key the first start generated, read from the data dir.
  const auth = () => ({ authorization: `Bearer ${readFileSync(join(dataDir, 'admin.key'), 'utf8').trim()}` });

  const invoke = async (name: string, input: unknown) => {
    const response = await fetch(`${base}/v1/functions/${name}:invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth() },
      body: JSON.stringify({ input }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
    const json: any = await response.json();
    return { status: response.status, json };
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nanofaas-examples-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--import', 'tsx', mainModule], {
      cwd: repositoryRoot,
      env: {
        ...process.env,
        PORT: String(port),
        NANOFAAS_DATA_DIR: dataDir,
        NANOFAAS_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    const registered = await eventually(() => output.includes('example functions:'), 60_000);
    assert.ok(registered, output);
  });

  after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('registers the five examples on the local backend', async () => {
    const unauthenticated = await fetch(`${base}/v1/functions`);
    assert.equal(unauthenticated.status, 401, 'the API needs the generated key');
    assert.match(output, /admin API key generated in \S+admin\.key/);
    const list = (await (await fetch(`${base}/v1/functions`, { headers: auth() })).json()) as {
      items: { name: string }[];
    };
    // The Java examples join them when their jars are built (java-runtime-e2e.test.ts covers them).
    const names = list.items.map((item) => item.name).filter((name) => !name.startsWith('java-'));
    assert.deepEqual(names.sort(), [
      'file-bash',
      'json-transform',
      'remote-oneshot',
      'shell-stdio',
      'word-stats',
    ]);
  });

  it('invokes each example as the README shows', async () => {
    const words = await invoke('word-stats', {
      text: 'the quick brown fox jumps over the lazy dog the end',
      topN: 3,
    });
    assert.equal(words.status, 200, JSON.stringify(words.json));
    assert.equal(words.json.output.words, 11);
    assert.deepEqual(words.json.output.top[0], { word: 'the', count: 3 });

    const transformed = await invoke('json-transform', {
      document: { user: { name: 'ada' }, id: 7 },
      operations: [
        { op: 'rename', from: 'user.name', to: 'name' },
        { op: 'uppercase', fields: ['name'] },
        { op: 'pick', fields: ['id', 'name'] },
      ],
    });
    assert.equal(transformed.status, 200, JSON.stringify(transformed.json));
    assert.deepEqual(transformed.json.output, { id: 7, name: 'ADA' });
    assert.equal(transformed.json.coldStart, true, 'json-transform starts scaled to zero');

    const shell = await invoke('shell-stdio', 'hello from a shell');
    assert.equal(shell.status, 200, JSON.stringify(shell.json));
    assert.deepEqual(shell.json.output.request, { input: 'hello from a shell' });

    const file = await invoke('file-bash', { report: 'q3' });
    assert.equal(file.status, 200, JSON.stringify(file.json));
    assert.match(file.json.output.sha256, /^[0-9a-f]{64}$/);

    const primes = await invoke('remote-oneshot', { limit: 1000 });
    assert.equal(primes.status, 200, JSON.stringify(primes.json));
    assert.equal(primes.json.output.primes, 168);
    const bad = await invoke('remote-oneshot', { limit: 'lots' });
    assert.equal(bad.status, 500);
    assert.equal(bad.json.error.code, 'INVALID_INPUT');
  });

  it('stops on SIGTERM and leaves no function process behind', async () => {
    const owner = child.pid!;
    assert.ok(processesOwnedBy(owner).length > 0);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, output);
    assert.deepEqual(processesOwnedBy(owner), []);
  });
});
