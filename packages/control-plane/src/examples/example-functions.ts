import { join } from 'node:path';
import type { FunctionSpec } from '@nanofaas/contracts';

/** One example `npm start` registers, and the files it needs to run. */
export interface ExampleFunction {
  readonly spec: FunctionSpec;
  /** Absolute paths that must exist (built handlers, scripts); a missing one skips the example. */
  readonly requires: readonly string[];
}

/** Quotes an argument for WATCHDOG_CMD (split by the watchdog like a POSIX shell, never run by one). */
function quote(arg: string): string {
  return /^[\w./:@%+=,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** WATCHDOG_CMD for an argv. */
export function command(...argv: string[]): string {
  return argv.map(quote).join(' ');
}

/**
 * The functions `npm start` registers on the local backend (README.md, "Examples"): one per way
 * a function can run — a TypeScript function behind the Node runtime (HTTP, warm), the same with
 * scale to zero, a shell program (STDIO), a bash script on files (FILE) and a one-shot run per
 * invocation (REMOTE) — and, given the `nanofaas-python` command of a prepared virtualenv, the
 * Python twins of the two TypeScript functions.
 */
export function exampleFunctions(
  repositoryRoot: string,
  nodePath: string,
  pythonRuntime?: string,
): ExampleFunction[] {
  const runtime = join(repositoryRoot, 'packages/runtime/dist/cli.js');
  const example = (...parts: string[]) => join(repositoryRoot, 'examples', ...parts);
  const wordStats = example('word-stats/dist/index.js');
  const jsonTransform = example('json-transform/dist/index.js');
  const shell = example('shell-stdio/handler.sh');
  const fileScript = example('file-bash/handler.sh');
  const primes = example('remote-oneshot/handler.mjs');
  return [
    {
      spec: {
        name: 'word-stats',
        runtimeMode: 'HTTP',
        executionMode: 'DEPLOYMENT',
        runtimeCommand: command(nodePath, runtime, wordStats),
        concurrency: 32,
        timeoutMs: 10_000,
        scaling: { minReplicas: 1, maxReplicas: 4 },
      },
      requires: [runtime, wordStats],
    },
    {
      spec: {
        name: 'json-transform',
        runtimeMode: 'HTTP',
        executionMode: 'DEPLOYMENT',
        runtimeCommand: command(nodePath, runtime, jsonTransform),
        concurrency: 32,
        timeoutMs: 10_000,
        // Scales to zero after a minute without requests; the next one cold-starts it.
        scaling: { minReplicas: 0, maxReplicas: 4, idleTimeoutMs: 60_000 },
      },
      requires: [runtime, jsonTransform],
    },
    {
      spec: {
        name: 'shell-stdio',
        runtimeMode: 'STDIO',
        executionMode: 'DEPLOYMENT',
        runtimeCommand: command(shell),
        concurrency: 8,
        timeoutMs: 5_000,
      },
      requires: [shell],
    },
    {
      spec: {
        name: 'file-bash',
        runtimeMode: 'FILE',
        executionMode: 'DEPLOYMENT',
        runtimeCommand: command(fileScript),
        concurrency: 8,
        timeoutMs: 5_000,
      },
      requires: [fileScript],
    },
    {
      spec: {
        name: 'remote-oneshot',
        runtimeMode: 'STDIO',
        executionMode: 'REMOTE',
        runtimeCommand: command(nodePath, primes),
        concurrency: 4,
        timeoutMs: 30_000,
        resources: { memory: '256Mi' },
      },
      requires: [primes],
    },
    ...(pythonRuntime === undefined ? [] : pythonExamples(repositoryRoot, pythonRuntime)),
  ];
}

/** examples/python/*: a handler.py served by the Python runtime (Gunicorn), found on PYTHONPATH. */
function pythonExamples(repositoryRoot: string, pythonRuntime: string): ExampleFunction[] {
  return ['word-stats', 'json-transform'].map((example) => {
    const directory = join(repositoryRoot, 'examples/python', example);
    return {
      spec: {
        name: `python-${example}`,
        runtimeMode: 'HTTP',
        executionMode: 'DEPLOYMENT',
        runtimeCommand: command(pythonRuntime),
        env: { PYTHONPATH: directory },
        concurrency: 8,
        timeoutMs: 10_000,
        scaling: { minReplicas: 0, maxReplicas: 2, idleTimeoutMs: 60_000 },
      },
      requires: [pythonRuntime, join(directory, 'handler.py')],
    };
  });
}
