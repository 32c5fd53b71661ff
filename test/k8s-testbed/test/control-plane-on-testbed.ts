// A control plane with NANOFAAS_BACKEND=kubernetes in the test's own process, on a started test
// bed, and a small HTTP client of its API: what the k8s suite's files that drive nanofaas through
// its API (rather than the backend alone) share.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, buildApp } from '../../../packages/control-plane/src/app.js';
import { loadConfig } from '../../../packages/control-plane/src/config/load-config.js';
import type { Testbed } from '../src/index.js';

export interface Reply {
  status: number;
  headers: Headers;
  /** The body as it came. */
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  json: any;
}

export interface ControlPlaneOnTestbed {
  readonly app: App;
  call(method: string, path: string, body?: unknown): Promise<Reply>;
  /** Stops this control plane and starts another on the same data directory (a restart). */
  restart(): Promise<void>;
  /** Stops it and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * Starts a control plane whose functions live in `namespace` of the test bed. Job pods call back
 * to the host's bridge address, where it listens. `env` adds or overrides settings.
 */
export async function startControlPlaneOnTestbed(
  testbed: Testbed,
  namespace: string,
  env: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<ControlPlaneOnTestbed> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nanofaas-k8s-cp-'));
  const start = async () => {
    const app = buildApp(
      loadConfig({
        NANOFAAS_BACKEND: 'kubernetes',
        KUBECONFIG: testbed.kubeconfigPath,
        NANOFAAS_K8S_NAMESPACE: namespace,
        HOST: testbed.network.hostIP,
        PORT: '0',
        NANOFAAS_AUTH: 'off',
        NANOFAAS_DATA_DIR: dataDir,
        NANOFAAS_LOG_LEVEL: process.env.NANOFAAS_LOG_LEVEL ?? 'warn',
        NANOFAAS_K8S_AUTOSCALE_INTERVAL_MS: '200',
        NANOFAAS_RETRY_BASE_MS: '50',
        NANOFAAS_RETRY_MAX_MS: '200',
        ...env,
      }),
    );
    await app.start();
    return app;
  };
  let app = await start();
  return {
    get app() {
      return app;
    },
    call: (method, path, body) => callApi(app.url(), method, path, body, timeoutMs),
    async restart() {
      await app.stop();
      app = await start();
    },
    async stop() {
      await app.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One request to a control plane's API at `base`; a body that is not a string is sent as JSON. */
export async function callApi(
  base: string,
  method: string,
  path: string,
  body: unknown,
  timeoutMs: number,
): Promise<Reply> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: response.status, headers: response.headers, text, json };
}
