import { spawn } from 'node:child_process';
import { waitUntilHealthy } from './http-client.js';
import { repositoryRoot } from './repository.js';
import { collect, type Exited, freePort, killGroup, processEnv } from './run-process.js';
import type { RuntimeCommand } from './runtime-descriptor.js';

export interface ServedRuntime {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM to its process group, SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<Exited>;
}

/** Starts a warm HTTP command on a free loopback port and waits until GET /health answers 200. */
export async function serveRuntime(
  command: RuntimeCommand,
  env: Record<string, string> = {},
  readyTimeoutMs = 30_000,
): Promise<ServedRuntime> {
  const port = await freePort();
  const [program, ...args] = command.argv as [string, ...string[]];
  const child = spawn(program, args, {
    cwd: command.cwd ?? repositoryRoot,
    env: processEnv(command, { PORT: String(port), HOST: '127.0.0.1', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = collect(child);
  let ended: Exited | undefined;
  void exited.then((result) => {
    ended = result;
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async (graceMs = 10_000) => {
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
    const result = await exited;
    clearTimeout(timer);
    return result;
  };
  try {
    await waitUntilHealthy(url, readyTimeoutMs, () =>
      ended === undefined
        ? undefined
        : `${command.argv.join(' ')} exited (${ended.code}) before it was healthy: ${stderr}`,
    );
  } catch (error) {
    await stop(0);
    throw error;
  }
  return { url, stderr: () => stderr, stop };
}
