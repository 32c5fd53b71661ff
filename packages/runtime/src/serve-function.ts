import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('./cli.js', import.meta.url));

export interface ServeFunctionOptions {
  /** Extra environment of the runtime process (PORT and HOST are chosen for you). */
  readonly env?: Record<string, string>;
  /** How long to wait for the runtime to listen (default 30000 ms). */
  readonly startTimeoutMs?: number;
}

export interface ServedFunction {
  /** Base URL of the runtime, e.g. http://127.0.0.1:41234: POST `${url}/invoke`. */
  readonly url: string;
  /** Stops the runtime (SIGTERM, as a pod shutdown would) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Serves a built handler module with the real runtime, as a separate process on an ephemeral
 * loopback port — the function exactly as the watchdog or a pod would run it, for end-to-end tests.
 */
export async function serveFunction(
  handlerModule: string,
  options: ServeFunctionOptions = {},
): Promise<ServedFunction> {
  const child = spawn(process.execPath, [cli, handlerModule], {
    env: { ...process.env, HANDLER: '', ...options.env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`the runtime did not listen within ${options.startTimeoutMs ?? 30_000} ms: ${stderr}`),
      );
    }, options.startTimeoutMs ?? 30_000);
    const onData = (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const line = stderr.split('\n').find((candidate) => candidate.includes('"listening"'));
      if (line === undefined) return;
      clearTimeout(timer);
      // Keep draining the function's log so that it never blocks on a full pipe.
      child.stderr?.off('data', onData).resume();
      resolve((JSON.parse(line) as { url: string }).url);
    };
    child.stderr?.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the runtime exited before listening: ${stderr}`));
    });
  });
  return {
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
