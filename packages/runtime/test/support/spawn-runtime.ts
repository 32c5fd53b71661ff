import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
export const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

export interface Exited {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/cli.js ...args` to completion (generous timeout), feeding `stdin`. */
export function runCli(args: string[], env: Record<string, string> = {}, stdin = ''): Promise<Exited> {
  const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(env), stdio: 'pipe' });
  const result = collect(child);
  child.stdin?.end(stdin);
  return result;
}

export interface SpawnedServer {
  readonly url: string;
  readonly child: ChildProcess;
  readonly exited: Promise<Exited>;
  /** SIGKILL if still running (cleanup). */
  kill(): void;
}

/** Starts the HTTP runtime on an ephemeral loopback port and waits for its "listening" log line. */
export async function spawnServer(args: string[], env: Record<string, string> = {}): Promise<SpawnedServer> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: cleanEnv({ PORT: '0', HOST: '127.0.0.1', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = collect(child);
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      for (const line of buffered.split('\n')) {
        if (!line.includes('"listening"')) continue;
        child.stderr?.off('data', onData);
        resolve((JSON.parse(line) as { url: string }).url);
        return;
      }
    };
    child.stderr?.on('data', onData);
    void exited.then((result) => reject(new Error(`runtime exited before listening: ${result.stderr}`)));
  });
  return {
    url,
    child,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

function collect(child: ChildProcess): Promise<Exited> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The test process's environment without the runtime's own variables, plus `env`. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const name of [
    'PORT',
    'HOST',
    'HANDLER',
    'MAX_BODY_BYTES',
    'TIMEOUT_MS',
    'LOG_LEVEL',
    'FUNCTION_NAME',
    'EXECUTION_ID',
    'TRACE_ID',
    'CALLBACK_URL',
    'CALLBACK_TOKEN',
    'INVOCATION_PAYLOAD',
  ]) {
    delete base[name];
  }
  return { ...base, ...env };
}

/** The JSON log lines of a stderr text. */
export function logLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
