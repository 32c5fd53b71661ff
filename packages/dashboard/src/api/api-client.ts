import type {
  ExecutionList,
  ExecutionStats,
  FunctionList,
  FunctionResponse,
  LogEntry,
  LogList,
  WhoAmI,
} from '@nanofaas/contracts';
import { ApiError, apiErrorOf } from './api-error.js';

export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

export interface ExecutionFilter {
  readonly function?: string;
  readonly status?: string;
  readonly since?: string;
  readonly until?: string;
  readonly after?: string;
  readonly limit?: number;
}

/** The answer of an invocation, whatever its status: its text is shown as the function wrote it. */
export interface InvocationAnswer {
  readonly status: number;
  readonly text: string;
  readonly origin: string | undefined;
  readonly executionId: string | undefined;
}

/** The control plane's public HTTP API, as the dashboard uses it (same origin, Bearer key). */
export class ApiClient {
  constructor(
    private readonly key: string | undefined,
    private readonly fetchFn: FetchFunction = (input, init) => fetch(input, init),
  ) {}

  whoAmI(): Promise<WhoAmI> {
    return this.json('GET', '/v1/whoami');
  }

  functions(): Promise<FunctionList> {
    return this.json('GET', '/v1/functions');
  }

  function(name: string): Promise<FunctionResponse> {
    return this.json('GET', `/v1/functions/${encodeURIComponent(name)}`);
  }

  stats(window: string): Promise<ExecutionStats> {
    return this.json('GET', `/v1/stats?window=${encodeURIComponent(window)}`);
  }

  functionStats(name: string, window: string): Promise<ExecutionStats> {
    return this.json(
      'GET',
      `/v1/functions/${encodeURIComponent(name)}/stats?window=${encodeURIComponent(window)}`,
    );
  }

  executions(filter: ExecutionFilter): Promise<ExecutionList> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(filter)) {
      if (value !== undefined && value !== '') query.set(key, String(value));
    }
    return this.json('GET', `/v1/executions?${query}`);
  }

  /** An execution as text: its output member holds the function's exact bytes. */
  async executionText(id: string): Promise<string> {
    const response = await this.request('GET', `/v1/executions/${encodeURIComponent(id)}`);
    return response.text();
  }

  executionLogs(id: string): Promise<LogList> {
    return this.json('GET', `/v1/executions/${encodeURIComponent(id)}/logs?limit=1000`);
  }

  /** Sends `inputText` (already checked to be JSON) as the request's input, byte for byte. */
  async invoke(name: string, inputText: string): Promise<InvocationAnswer> {
    const response = await this.fetchFn(`/v1/functions/${encodeURIComponent(name)}:invoke`, {
      method: 'POST',
      headers: { ...this.headers(), 'content-type': 'application/json' },
      body: `{"input":${inputText}}`,
    });
    if (response.status === 401 || response.status === 403) throw await apiErrorOf(response);
    return {
      status: response.status,
      text: await response.text(),
      origin: response.headers.get('x-error-origin') ?? undefined,
      executionId: response.headers.get('x-execution-id') ?? undefined,
    };
  }

  async setReplicas(name: string, replicas: number | null): Promise<FunctionResponse> {
    return this.json('PUT', `/v1/functions/${encodeURIComponent(name)}/replicas`, { replicas });
  }

  async deleteFunction(name: string): Promise<void> {
    await this.request('DELETE', `/v1/functions/${encodeURIComponent(name)}`);
  }

  /**
   * Follows a function's log (NDJSON): calls `onEntry` for the recent lines, then for each new one,
   * until `signal` aborts or the stream ends.
   */
  async followLogs(name: string, onEntry: (entry: LogEntry) => void, signal: AbortSignal): Promise<void> {
    const response = await this.request(
      'GET',
      `/v1/functions/${encodeURIComponent(name)}/logs?follow=true&limit=200`,
      {
        signal,
      },
    );
    const reader = response.body?.getReader();
    if (reader === undefined) return;
    const decoder = new TextDecoder();
    let buffered = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.trim() !== '') onEntry(JSON.parse(line) as LogEntry);
        newline = buffered.indexOf('\n');
      }
    }
  }

  private headers(): Record<string, string> {
    return this.key === undefined ? {} : { authorization: `Bearer ${this.key}` };
  }

  private async request(method: string, path: string, init: RequestInit = {}): Promise<Response> {
    const response = await this.fetchFn(path, {
      method,
      ...init,
      headers: { ...this.headers(), ...init.headers },
    });
    if (!response.ok) throw await apiErrorOf(response);
    return response;
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.request(
      method,
      path,
      body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
    );
    return (await response.json()) as T;
  }
}

export { ApiError };
