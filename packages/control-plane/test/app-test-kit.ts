import { inject } from 'light-my-request';
import { type App, type AppDeps, buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/load-config.js';

/**
 * Settings every in-memory test app starts from: POOL backend, no disk, quiet, fast retries, and
 * no API key unless the test sets NANOFAAS_API_KEYS.
 */
export const TEST_ENV: Readonly<Record<string, string>> = Object.freeze({
  NANOFAAS_BACKEND: 'pool',
  NANOFAAS_DATA_DIR: ':memory:',
  NANOFAAS_LOG_LEVEL: 'silent',
  PORT: '0',
  NANOFAAS_RETRY_BASE_MS: '10',
  NANOFAAS_RETRY_MAX_MS: '40',
});

export interface TestResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly body: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  readonly json: any;
}

export interface TestApp {
  readonly app: App;
  request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH',
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<TestResponse>;
  stop(): Promise<void>;
}

/** Builds and starts an app (not listening unless asked) with in-memory `inject` requests. */
export async function startTestApp(
  env: Record<string, string> = {},
  deps: AppDeps = {},
  options: { listen?: boolean } = {},
): Promise<TestApp> {
  const auth = env['NANOFAAS_API_KEYS'] === undefined ? { NANOFAAS_AUTH: 'off' } : {};
  const app = buildApp(loadConfig({ ...TEST_ENV, ...auth, ...env }), deps);
  await app.start({ listen: options.listen ?? false });
  return {
    app,
    async request(method, url, body, headers = {}) {
      const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const response = await inject(app.handler, {
        method,
        url,
        headers: payload === undefined ? headers : { 'content-type': 'application/json', ...headers },
        ...(payload === undefined ? {} : { payload }),
      });
      let json: unknown;
      try {
        json = response.body ? JSON.parse(response.body) : undefined;
      } catch {
        json = undefined;
      }
      return { status: response.statusCode, headers: response.headers, body: response.body, json };
    },
    stop: () => app.stop(),
  };
}

/** Polls `check` until it returns a value other than undefined (generous bound for loaded machines). */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
