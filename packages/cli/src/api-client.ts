import type { ErrorBody } from '@nanofaas/contracts';
import type { ResolvedApiKey } from './api-key.js';
import { CliError, ExitCode, type ExitCodeValue } from './exit-codes.js';

export interface ApiReply {
  readonly status: number;
  readonly headers: Headers;
  /** The body as sent (JSON bodies are parsed into `json` as well). */
  readonly text: string;
  readonly json: unknown;
}

export interface RequestOptions {
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/** A thin client of the control plane's HTTP API (openapi.yaml); every failure is a CliError. */
export class ApiClient {
  readonly baseUrl: URL;
  readonly #apiKey: ResolvedApiKey | undefined;

  constructor(baseUrl: URL, apiKey: ResolvedApiKey | undefined) {
    this.baseUrl = baseUrl;
    this.#apiKey = apiKey;
  }

  /** Any answer of the API (also 4xx/5xx); throws only when the control plane cannot be reached. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiReply> {
    const response = await this.#fetch(method, path, options);
    const text = await response.text();
    let json: unknown;
    if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  /** Like request, but a non-2xx answer becomes the CliError it stands for. */
  async expect(method: string, path: string, options: RequestOptions = {}): Promise<ApiReply> {
    const reply = await this.request(method, path, options);
    if (reply.status >= 200 && reply.status < 300) return reply;
    throw this.errorOf(reply);
  }

  /** The open response of a streaming route (its body is read by the caller). */
  async stream(path: string, signal: AbortSignal): Promise<Response> {
    const response = await this.#fetch('GET', path, { signal });
    if (response.ok) return response;
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    throw this.errorOf({ status: response.status, headers: response.headers, text, json });
  }

  /** The API's error code and message (with each field of a validation error), its exit code and a hint. */
  errorOf(reply: ApiReply): CliError {
    const error = (reply.json as Partial<ErrorBody> | undefined)?.error;
    const code = error?.code ?? `HTTP ${reply.status}`;
    let message = `${code}: ${error?.message ?? (reply.text.slice(0, 200) || 'no details')}`;
    for (const issue of error?.issues ?? []) message += `\n  field "${issue.field}": ${issue.message}`;
    return new CliError(message, exitCodeOf(reply.status, error?.origin), this.#hintFor(reply.status));
  }

  #hintFor(status: number): string | undefined {
    if (status === 401) {
      return this.#apiKey === undefined
        ? 'the control plane needs an API key: pass --api-key, set NANOFAAS_API_KEY, or run where `nanofaas up` keeps .nanofaas/admin.key'
        : `the API key from ${this.#apiKey.source} was refused: check it (the admin key is in <data dir>/admin.key)`;
    }
    if (status === 403) return 'this needs an API key with the admin role';
    return undefined;
  }

  async #fetch(method: string, path: string, options: RequestOptions): Promise<Response> {
    const url = new URL(
      path.replace(/^\//, ''),
      this.baseUrl.href.endsWith('/') ? this.baseUrl : `${this.baseUrl.href}/`,
    );
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    if (this.#apiKey !== undefined) headers.authorization = `Bearer ${this.#apiKey.key}`;
    try {
      return await fetch(url, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: options.body }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw unreachable(this.baseUrl, error);
    }
  }
}

function exitCodeOf(status: number, origin: string | undefined): ExitCodeValue {
  if (status === 404) return ExitCode.notFound;
  if (status === 401 || status === 403) return ExitCode.auth;
  if (status === 408) return ExitCode.timeout;
  if (status >= 400 && status < 500 && status !== 429) return ExitCode.usage;
  if (origin === 'function') return ExitCode.functionFailed;
  return ExitCode.platform;
}

function unreachable(baseUrl: URL, error: unknown): CliError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? '';
  const reason =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'unknown host'
        : (cause?.message ?? (error as Error).message);
  return new CliError(
    `cannot reach the control plane at ${baseUrl.origin}: ${reason}`,
    ExitCode.unreachable,
    'is `nanofaas up` running? Point the CLI elsewhere with --url or NANOFAAS_URL',
  );
}
