import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { repositoryRoot } from './repository.js';
import type { RuntimeCommand } from './runtime-descriptor.js';

/** Variables a runtime reads; removed from the suite's own environment so that only a case sets them. */
const RUNTIME_VARIABLES = [
  'PORT',
  'HOST',
  'HANDLER',
  'HANDLER_MODULE',
  'HANDLER_FUNCTION',
  'MAX_BODY_BYTES',
  'TIMEOUT_MS',
  'LOG_LEVEL',
  'FUNCTION_NAME',
  'EXECUTION_ID',
  'TRACE_ID',
  'CALLBACK_URL',
  'CALLBACK_TOKEN',
  'INVOCATION_PAYLOAD',
  'INPUT_FILE',
  'OUTPUT_FILE',
  'WARM',
  'EXECUTION_MODE',
  'WATCHDOG_CMD',
];

export function processEnv(command: RuntimeCommand, env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of RUNTIME_VARIABLES) delete base[name];
  return { ...base, ...command.env, ...env };
}

export interface Exited {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion (killed after a generous minute), feeding `stdin`. */
export function runToCompletion(
  command: RuntimeCommand,
  env: Record<string, string>,
  stdin = '',
): Promise<Exited> {
  const [program, ...args] = command.argv as [string, ...string[]];
  const child = spawn(program, args, {
    cwd: command.cwd ?? repositoryRoot,
    env: processEnv(command, env),
    stdio: 'pipe',
    detached: true,
  });
  const exited = collect(child);
  child.stdin?.on('error', () => {}); // a runtime may exit before reading all of stdin
  child.stdin?.end(stdin);
  return exited;
}

export function collect(child: ChildProcess): Promise<Exited> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 60_000);
  return new Promise((resolve) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr: `${stderr}${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Signals the process group a command was started in (servers fork workers). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** The JSON lines of a log text (other lines are skipped). */
export function logLines(text: string): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      records.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line that only looks like JSON
    }
  }
  return records;
}
