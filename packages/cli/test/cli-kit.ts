/** Runs the built `nanofaas` bin as a user would, and a control plane through `nanofaas up`. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../bin/nanofaas.js', import.meta.url));
const DIST_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON (for --output json). */
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON
  json(): any;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: Record<string, string | undefined>;
  readonly input?: string;
}

/** The environment of every CLI run: no colours forced, nothing of the caller's NANOFAAS_* settings. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('NANOFAAS_') && key !== 'NO_COLOR' && key !== 'FORCE_COLOR')
      env[key] = value;
  }
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}

export async function nanofaas(args: readonly string[], options: RunOptions): Promise<CliResult> {
  if (!existsSync(DIST_MAIN)) throw new Error(`${DIST_MAIN} is missing: run "npm run build" first`);
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdin.end(options.input ?? '');
  const [code] = (await once(child, 'close')) as [number | null];
  return {
    code,
    stdout,
    stderr,
    json() {
      try {
        return JSON.parse(stdout);
      } catch {
        throw new Error(`stdout is not JSON (exit ${code}):\n${stdout}\nstderr:\n${stderr}`);
      }
    },
  };
}

export interface UpProcess {
  readonly url: string;
  readonly child: ChildProcess;
  output(): string;
  /** Ctrl-C: SIGINT, then the exit code. */
  interrupt(): Promise<number | null>;
}

/** `nanofaas up --port 0 …` in `cwd`; resolves once the banner names the URL. */
export async function startUp(args: readonly string[], options: RunOptions): Promise<UpProcess> {
  const child = spawn(process.execPath, [BIN, 'up', '--port', '0', ...args], {
    cwd: options.cwd,
    env: cleanEnv({ NANOFAAS_LOG_LEVEL: 'warn', ...options.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /nanofaas is running at (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`nanofaas up exited with ${code}: ${output}`)));
  });
  return {
    url,
    child,
    output: () => output,
    async interrupt() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}
