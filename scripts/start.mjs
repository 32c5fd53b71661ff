#!/usr/bin/env node
// `npm start`: runs the control plane (built by the `prestart` build) with the example functions.
// The Python examples need a virtualenv with the Python runtime from PyPI: prepared here on the
// first start (runtimes/python/scripts/venv.sh, quick afterwards) and handed to the control plane
// as NANOFAAS_EXAMPLES_PYTHON; without python3 or PyPI they are skipped with one log line.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const main = join(root, 'packages/control-plane/dist/main.js');
if (!existsSync(main)) {
  console.log('nanofaas: control plane not built yet (packages/control-plane is not in this checkout).');
  process.exit(0);
}

const env = { ...process.env };
// Large buffers (request and answer bodies) mapped by glibc, so that memory goes back to the system
// when they are freed (docs/configuration.md, "Memory"); a value already set wins.
env.MALLOC_MMAP_THRESHOLD_ ??= '131072';
if (env.NANOFAAS_EXAMPLES !== 'false' && env.NANOFAAS_EXAMPLES_PYTHON === undefined) {
  const runtime = preparePythonExamples();
  if (runtime !== undefined) env.NANOFAAS_EXAMPLES_PYTHON = runtime;
}

// --expose-gc: one collection after a burst of large bodies gives their memory back (docs/configuration.md, "Memory").
const child = spawn(process.execPath, ['--expose-gc', main], { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

/** The virtualenv's `nanofaas-python`, or undefined (logged once) when it cannot be made. */
function preparePythonExamples() {
  const script = join(root, 'runtimes/python/scripts/venv.sh');
  if (!existsSync(script)) return undefined;
  const venv = process.env.NANOFAAS_PYTHON_VENV ?? join(root, 'runtimes/python/.venv');
  if (!existsSync(join(venv, '.nanofaas-stamp'))) {
    console.log(`nanofaas: preparing the Python examples' virtualenv in ${venv} (pip, first start only)`);
  }
  const made = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const python = made.stdout?.trim().split('\n').at(-1);
  if (made.status === 0 && python) return join(dirname(python), 'nanofaas-python');
  const reason =
    made.status === 3
      ? 'python3 is not installed'
      : `the virtualenv could not be prepared (${made.stderr?.trim().split('\n').at(-1) ?? made.error?.message})`;
  console.log(`nanofaas: Python examples skipped: ${reason}`);
  return undefined;
}
