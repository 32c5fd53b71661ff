#!/usr/bin/env node
// Runs every test suite of the repository in order and exits non-zero if any fails.
// NANOFAAS_TEST_SUITES=node,watchdog runs a subset (comma-separated suite names).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Test files of the fast "node" suite: test/**\/*.test.ts inside each package and example (the
 * dashboard's tests run in their own suite: Vitest, then the browser).
 */
function nodeTestFiles() {
  const files = [];
  for (const parent of ['packages', 'examples']) {
    const dir = join(root, parent);
    if (!existsSync(dir)) continue;
    for (const pkg of readdirSync(dir)) {
      if (parent === 'packages' && pkg === 'dashboard') continue;
      collect(join(dir, pkg, 'test'), files);
    }
  }
  return files.map((file) => relative(root, file)).sort();
}

/** The black-box conformance suite of every language runtime (test/runtime-conformance). */
function runtimeConformanceFiles() {
  const files = [];
  collect(join(root, 'test/runtime-conformance/test'), files);
  return files.map((file) => relative(root, file)).sort();
}

function collect(dir, files) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) collect(path, files);
    else if (entry.endsWith('.test.ts')) files.push(path);
  }
}

const suites = [
  { name: 'lint', command: ['npx', 'biome', 'ci', '.'] },
  { name: 'build', command: ['npm', 'run', 'build'] },
  { name: 'typecheck', command: ['npx', 'tsc', '-p', 'tsconfig.test.json'] },
  {
    name: 'node',
    command: () => ['node', '--import', 'tsx', '--test', '--test-reporter=spec', ...nodeTestFiles()],
  },
  {
    // Vitest unit tests of the components, then the end-to-end tests in headless Chromium.
    name: 'dashboard',
    cwd: 'packages/dashboard',
    command: ['bash', '-c', 'npx vitest run && npm run test:e2e'],
  },
  { name: 'python', command: ['bash', 'runtimes/python/scripts/test.sh'] },
  {
    name: 'runtimes',
    command: () => [
      'node',
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      ...runtimeConformanceFiles(),
    ],
  },
  // openapi.yaml against a live control plane: schemathesis (PyPI, its own virtualenv), ~1 minute.
  { name: 'schemathesis', command: ['bash', 'test/schemathesis/run.sh'] },
  {
    name: 'watchdog',
    cwd: 'watchdog',
    command: [
      'bash',
      '-c',
      'cargo fmt --check && cargo clippy --locked --all-targets -- -D warnings && cargo test --locked -- --test-threads=4 && bash scripts/fuzz.sh',
    ],
  },
  { name: 'java', cwd: 'runtimes/java', command: ['mvn', '-B', '--no-transfer-progress', 'verify'] },
  { name: 'k8s', command: ['bash', 'test/k8s-testbed/scripts/run-tests.sh'] },
  // The benchmark harness, once, quick: it checks that every scenario produces figures and the
  // report is written, never a timing (bench/README.md).
  { name: 'bench', command: ['node', 'bench/run.mjs', '--quick', '--check'] },
];

const wanted = process.env.NANOFAAS_TEST_SUITES?.split(',').map((name) => name.trim());
const selected = wanted ? suites.filter((suite) => wanted.includes(suite.name)) : suites;
const unknown = wanted?.filter((name) => !suites.some((suite) => suite.name === name)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; known: ${suites.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

const failed = [];
for (const suite of selected) {
  const [cmd, ...args] = typeof suite.command === 'function' ? suite.command() : suite.command;
  console.log(`\n=== suite ${suite.name}: ${[cmd, ...args].join(' ').slice(0, 200)}`);
  const started = Date.now();
  const result = spawnSync(cmd, args, {
    cwd: join(root, suite.cwd ?? '.'),
    stdio: 'inherit',
    env: process.env,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = result.status === 0;
  console.log(
    `=== suite ${suite.name}: ${ok ? 'ok' : `FAILED (exit ${result.status ?? result.signal})`} in ${seconds}s`,
  );
  if (!ok) failed.push(suite.name);
}

console.log(`\nsuites: ${selected.length - failed.length} passed, ${failed.length} failed`);
if (failed.length > 0) console.log(`failed suites: ${failed.join(', ')}`);
process.exit(failed.length > 0 ? 1 : 0);
