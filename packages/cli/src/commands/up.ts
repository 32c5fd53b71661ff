import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FunctionList } from '@nanofaas/contracts';
import type { Command } from 'commander';
import { ApiClient } from '../api-client.js';
import { resolveApiKey } from '../api-key.js';
import { type CliContext, type CliIo, contextOf } from '../context.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { controlPlaneMain } from '../paths.js';
import { printable } from '../terminal.js';

interface UpOptions {
  port: string;
  host?: string;
  dataDir?: string;
  examples: boolean;
}

const LISTENING = /listening on (http:\/\/\S+) \(backend: ([a-z]+)\)/;

export function registerUp(program: Command, io: CliIo): void {
  program
    .command('up')
    .description('run the control plane here in the foreground (Ctrl-C stops it)')
    .option('-p, --port <port>', 'TCP port (0: any free port)', '8080')
    .option('--host <address>', 'address to listen on (default 127.0.0.1)')
    .option(
      '--data-dir <dir>',
      'where the database and admin key live (default .nanofaas, NANOFAAS_DATA_DIR)',
    )
    .option('--no-examples', 'do not register the example functions')
    .addHelpText('after', '\nExample:\n  $ nanofaas up --port 8080 --no-examples')
    .action(async (options: UpOptions, command: Command) => {
      const ctx = contextOf(io, command);
      if (!/^\d{1,5}$/.test(options.port) || Number(options.port) > 65_535) {
        throw new CliError(
          `--port must be a port number from 0 to 65535 (got "${options.port}")`,
          ExitCode.usage,
        );
      }
      const main = controlPlaneMain(io.env);
      if (!existsSync(main)) {
        throw new CliError(
          `the control plane is not at ${main}`,
          ExitCode.failure,
          'build it with `npm run build` in the repository, or set NANOFAAS_CONTROL_PLANE_MAIN',
        );
      }
      const env: Record<string, string | undefined> = { ...io.env, PORT: options.port };
      // Large buffers mapped by glibc, so freed bodies go back to the system (docs/configuration.md,
      // "Memory"); a value already set wins.
      env.MALLOC_MMAP_THRESHOLD_ ??= '131072';
      if (options.host !== undefined) env.HOST = options.host;
      if (options.dataDir !== undefined) env.NANOFAAS_DATA_DIR = options.dataDir;
      if (!options.examples) env.NANOFAAS_EXAMPLES = 'false';
      const code = await runControlPlane(ctx, main, env);
      if (code !== 0) throw new CliError('', code === 2 ? ExitCode.usage : ExitCode.failure);
    });
}

/** Runs the control plane until it exits; SIGINT and SIGTERM are passed on for a graceful stop. */
function runControlPlane(
  ctx: CliContext,
  main: string,
  env: Record<string, string | undefined>,
): Promise<number> {
  const { terminal, io } = ctx;
  // --expose-gc: one collection after a burst of large bodies gives their memory back
  // (docs/configuration.md, "Memory").
  const child = spawn(process.execPath, ['--expose-gc', main], {
    cwd: io.cwd,
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let listening = false;
  const forward = (stream: 'stdout' | 'stderr') => {
    let pending = '';
    child[stream].on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const match = LISTENING.exec(line);
        if (match && !listening) {
          listening = true;
          void banner(ctx, match[1]!, match[2]!, env);
          continue;
        }
        const text = terminal.stdout.isTTY ? prettyLogLine(ctx, line) : line;
        if (stream === 'stdout') terminal.print(text);
        else terminal.note(text);
      }
    });
  };
  forward('stdout');
  forward('stderr');
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) terminal.note(terminal.err.dim('stopping the control plane (Ctrl-C again to force)…'));
    child.kill(signals > 1 ? 'SIGKILL' : signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return new Promise((resolvePromise) => {
    child.once('exit', (code, signal) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (listening) terminal.note(`${terminal.err.dim('control plane stopped')}`);
      resolvePromise(code ?? (signal === null ? 1 : 1));
    });
  });
}

async function banner(
  ctx: CliContext,
  url: string,
  backend: string,
  env: Record<string, string | undefined>,
): Promise<void> {
  const { terminal, io } = ctx;
  const { out } = terminal;
  const dataDir = resolve(io.cwd, env.NANOFAAS_DATA_DIR ?? '.nanofaas');
  const keyEnv = { ...env, NANOFAAS_DATA_DIR: dataDir };
  const key = resolveApiKey({
    flag: undefined,
    env: { ...keyEnv, NANOFAAS_API_KEY: undefined },
    cwd: io.cwd,
    url: new URL(url),
  });
  let functions = '';
  try {
    const reply = await new ApiClient(new URL(url), key).request('GET', '/v1/functions');
    if (reply.status === 200) {
      const names = (reply.json as FunctionList).items.map((fn) => fn.name);
      functions = names.length === 0 ? 'none yet (nanofaas init, nanofaas deploy)' : names.join(', ');
    } else functions = `(GET /v1/functions answered ${reply.status})`;
  } catch {
    functions = '(not answering yet)';
  }
  const row = (label: string, value: string) => `  ${out.dim(label.padEnd(10))} ${value}`;
  terminal.print(
    [
      `${out.green('●')} ${out.bold('nanofaas is running')} at ${out.cyan(url)}`,
      row('backend', backend),
      row('data dir', dataDir),
      row('functions', functions),
      ...(key === undefined ? [] : [row('admin key', `${key.source} (the CLI reads it from here)`)]),
      row('stop', 'Ctrl-C'),
      '',
    ].join('\n'),
  );
}

/** A control plane JSON log line as `level msg`, for a terminal; other text as it is. */
function prettyLogLine(ctx: CliContext, line: string): string {
  if (!line.startsWith('{')) return printable(line);
  try {
    const entry = JSON.parse(line) as { level?: number | string; msg?: string; time?: number };
    if (typeof entry.msg !== 'string') return printable(line);
    const level =
      typeof entry.level === 'number'
        ? entry.level >= 50
          ? 'error'
          : entry.level >= 40
            ? 'warn'
            : 'info'
        : String(entry.level ?? 'info');
    const { out } = ctx.terminal;
    const mark = level === 'error' ? out.red(level) : level === 'warn' ? out.yellow(level) : out.dim(level);
    return `${mark} ${printable(entry.msg)}`;
  } catch {
    return printable(line);
  }
}
