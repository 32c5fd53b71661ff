// Starting the pieces the scenarios measure: the control plane, the Node runtime, the watchdog and
// the references (bare node:http echo, minimal proxy), each on a loopback port, each in the
// harness's ProcessSet so that it is stopped at the end.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, freePort, repoPath, waitHealthy } from './harness.mjs';

export const paths = {
  controlPlane: repoPath('packages/control-plane/dist/main.js'),
  runtimeCli: repoPath('packages/runtime/dist/cli.js'),
  watchdog: repoPath('watchdog/dist/watchdog'),
};

const LISTENING_URL = /"listening".*?"url":"(http:[^"]+)"/;

/** The Node runtime serving `handler` (default: the echo fixture); resolves { child, url, pid }. */
export async function startNodeRuntime(ctx, handler = fixture('echo-handler.mjs'), env = {}) {
  const { child, match } = await ctx.procs.start(process.execPath, [paths.runtimeCli, handler], {
    env: { PORT: '0', HOST: '127.0.0.1', ...env },
    pattern: LISTENING_URL,
  });
  return { child, url: match[1], pid: child.pid };
}

/** The runtime reference: a bare node:http server doing the least a runtime must. */
export async function startBareEcho(ctx) {
  const { child, match } = await ctx.procs.start(process.execPath, [fixture('bare-echo.mjs')], {
    env: { PORT: '0', HOST: '127.0.0.1' },
    pattern: LISTENING_URL,
  });
  return { child, url: match[1], pid: child.pid };
}

/** The hop reference: the smallest keep-alive Node reverse proxy in front of `targetUrl`. */
export async function startMinimalProxy(ctx, targetUrl) {
  const { child, match } = await ctx.procs.start(process.execPath, [fixture('minimal-proxy.mjs')], {
    env: { TARGET_URL: targetUrl },
    pattern: /listening (\d+)/,
  });
  return { child, url: `http://127.0.0.1:${match[1]}`, pid: child.pid };
}

/** A warm watchdog (WARM=true) in `mode` running `command`; resolves { child, url, pid, runtimeUrl }. */
export async function startWatchdog(ctx, { mode, command, maxInflight = 256, env = {} }) {
  const port = await freePort();
  const runtimePort = await freePort();
  const { child } = await ctx.procs.start(paths.watchdog, [], {
    env: {
      WARM: 'true',
      EXECUTION_MODE: mode,
      HOST: '127.0.0.1',
      PORT: String(port),
      RUNTIME_PORT: String(runtimePort),
      MAX_INFLIGHT: String(maxInflight),
      FUNCTION_NAME: 'bench',
      WATCHDOG_CMD: command,
      ...env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(`${url}/health`);
  return { child, url, pid: child.pid, runtimeUrl: `http://127.0.0.1:${runtimePort}` };
}

/**
 * The built control plane with `backend` ('pool' or 'local'), API keys off, a SQLite file in a
 * fresh directory of the run's temp dir; resolves { child, base, pid, dataDir }.
 */
export async function startControlPlane(ctx, backend, env = {}) {
  const dataDir = mkdtempSync(join(ctx.tmp, `cp-${backend}-`));
  const { child, match } = await ctx.procs.start(process.execPath, ['--expose-gc', paths.controlPlane], {
    env: {
      PORT: '0',
      NANOFAAS_BACKEND: backend,
      NANOFAAS_EXAMPLES: 'false',
      NANOFAAS_DATA_DIR: dataDir,
      NANOFAAS_LOG_LEVEL: 'warn',
      NANOFAAS_AUTH: 'off',
      // As `npm start`, `nanofaas up` and the image start it, --expose-gc included (docs/configuration.md, "Memory").
      MALLOC_MMAP_THRESHOLD_: '131072',
      ...env,
    },
    pattern: /listening on (http:\/\/\S+)/,
  });
  return { child, base: match[1], pid: child.pid, dataDir };
}

/** The command line of a Node function on the local backend (runtime CLI + handler). */
export const nodeFunctionCommand = (handler = fixture('echo-handler.mjs')) =>
  `${process.execPath} ${paths.runtimeCli} ${handler}`;
