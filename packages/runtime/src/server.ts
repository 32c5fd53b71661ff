import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RuntimeConfig } from './config.js';
import type { Handler } from './handler.js';
import { handleInvoke, type InvokeRouteState } from './invoke-route.js';
import { createLogger, type Logger } from './logger.js';
import { RuntimeMetrics } from './runtime-metrics.js';
import { type ErrorAnswer, errorAnswer, HeaderName } from './wire.js';

export type ServerConfig = Pick<
  RuntimeConfig,
  'port' | 'host' | 'maxBodyBytes' | 'timeoutMs' | 'functionName'
>;

export interface StartServerOptions {
  readonly logger?: Logger;
  /** Time from process start until ready; defaults to the process's age when the server listens. */
  readonly initDurationMs?: number;
}

export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:39123`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Process start → listening, as sent in X-Init-Duration-Ms. */
  readonly initDurationMs: number;
  /**
   * Graceful stop: refuses new connections, answers /health with 503, lets in-flight invocations
   * finish (each is bounded by its deadline), then resolves. Idempotent.
   */
  close(): Promise<void>;
}

// Longer than the watchdog's pooled-connection idle time (60 s), so the runtime never closes a
// keep-alive connection the watchdog is about to reuse.
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
// After the longest deadline, whatever is still open is cut.
const DRAIN_GRACE_MS = 1_000;

/** Starts the warm HTTP runtime: POST /invoke, GET /health, GET /metrics. */
export async function startServer(
  config: ServerConfig,
  handler: Handler,
  options: StartServerOptions = {},
): Promise<RunningServer> {
  const logger = options.logger ?? createLogger();
  const initDurationMs = options.initDurationMs ?? Math.round(performance.now());
  const metrics = new RuntimeMetrics(initDurationMs, (Date.now() - performance.now()) / 1000);
  const state: InvokeRouteState = {
    handler,
    logger,
    metrics,
    maxBodyBytes: config.maxBodyBytes,
    timeoutMs: config.timeoutMs,
    functionName: config.functionName,
    initDurationMs,
    coldStart: true,
    draining: false,
  };

  const server = createServer((request, response) => route(state, request, response));
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  await listen(server, config.port, config.host);
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= drain(server, state, config.timeoutMs + DRAIN_GRACE_MS);
    return closing;
  };
  return Object.freeze({
    url: `http://${urlHost}:${address.port}`,
    host: address.address,
    port: address.port,
    initDurationMs,
    close,
  });
}

function route(state: InvokeRouteState, request: IncomingMessage, response: ServerResponse): void {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  const method = request.method;
  if (path === '/invoke') {
    if (method === 'POST') void handleInvoke(state, request, response);
    else methodNotAllowed(state, response, method, 'POST');
  } else if (path === '/health') {
    if (method === 'GET' || method === 'HEAD') health(state, response);
    else methodNotAllowed(state, response, method, 'GET, HEAD');
  } else if (path === '/metrics') {
    if (method === 'GET') send(response, 200, 'text/plain; version=0.0.4', state.metrics.render());
    else methodNotAllowed(state, response, method, 'GET');
  } else {
    sendError(state, response, errorAnswer('ROUTE_NOT_FOUND', `no route for ${method} ${path}`));
  }
}

function health(state: InvokeRouteState, response: ServerResponse): void {
  if (state.draining) {
    sendError(state, response, errorAnswer('NOT_READY', 'the runtime is shutting down'));
  } else {
    send(response, 200, 'application/json', '{"status":"ok"}');
  }
}

function methodNotAllowed(
  state: InvokeRouteState,
  response: ServerResponse,
  method: string | undefined,
  allow: string,
): void {
  response.setHeader('allow', allow);
  sendError(
    state,
    response,
    errorAnswer('METHOD_NOT_ALLOWED', `${method} is not allowed here; use ${allow}`),
  );
}

function sendError(state: InvokeRouteState, response: ServerResponse, answer: ErrorAnswer): void {
  response.setHeader(HeaderName.errorOrigin, answer.error.origin ?? 'client');
  if (state.draining) response.setHeader('connection', 'close');
  send(response, answer.status, 'application/json', JSON.stringify({ error: answer.error }));
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

async function drain(server: Server, state: InvokeRouteState, graceMs: number): Promise<void> {
  state.draining = true;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // Connections that finish a request while draining are told to close (see reply()); an idle one
  // left over is closed as soon as it is idle.
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  const cut = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearInterval(sweep);
    clearTimeout(cut);
  }
}
