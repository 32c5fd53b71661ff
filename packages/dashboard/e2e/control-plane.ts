import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../control-plane/dist/main.js', import.meta.url));
/** The checkout: the examples' working directory, as under `npm start`. */
const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));
const START_TIMEOUT_MS = 180_000;
export const DASHBOARD_DIST = fileURLToPath(new URL('../dist', import.meta.url));

export interface ControlPlane {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * The built control plane as `npm start` runs it (local backend, the bundled examples), in its own
 * data dir, serving this package's dist; resolves once the examples are registered.
 */
export async function startControlPlane(dataDir: string, env: Record<string, string>): Promise<ControlPlane> {
  for (const path of [MAIN, `${DASHBOARD_DIST}/index.html`]) {
    if (!existsSync(path)) throw new Error(`${path} is missing: run "npm run build" first`);
  }
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    cwd: REPOSITORY,
    env: {
      ...process.env,
      PORT: '0',
      NANOFAAS_DATA_DIR: dataDir,
      NANOFAAS_LOG_LEVEL: 'warn',
      NANOFAAS_DASHBOARD_DIR: DASHBOARD_DIST,
      NANOFAAS_EXAMPLES: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the control plane did not register the examples in time: ${output}`));
    }, START_TIMEOUT_MS);
    let listening: string | undefined;
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      listening ??= /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (listening !== undefined && /example functions: /.test(output)) {
        clearTimeout(timer);
        resolve(listening);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`control plane exited with ${code}: ${output}`));
    });
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
