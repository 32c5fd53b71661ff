import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorInfo, HeaderKeys } from '@nanofaas/contracts';
import { RateLimiter } from './admission/rate-limiter.js';
import type { Backend } from './backends/backend.js';
import { createBackend } from './backends/create-backend.js';
import type { Config } from './config/load-config.js';
import { DashboardFiles } from './dashboard/dashboard-files.js';
import { type CancelTimer, type Clock, systemClock } from './deps/clock.js';
import { createRandomIds, type IdGenerator } from './deps/id-generator.js';
import { ExecutionTracker } from './executions/execution-tracker.js';
import { FunctionRegistry } from './functions/function-registry.js';
import type { AppServices } from './http/app-services.js';
import { exposedCollector, LargeBodyReclaimer } from './http/large-body-reclaimer.js';
import { createRequestPipeline } from './http/request-pipeline.js';
import { Router } from './http/router.js';
import { completionRoutes } from './http/routes/completion-routes.js';
import { dashboardRoutes } from './http/routes/dashboard-routes.js';
import { executionRoutes } from './http/routes/execution-routes.js';
import { functionRoutes } from './http/routes/function-routes.js';
import { invocationRoutes } from './http/routes/invocation-routes.js';
import { logRoutes } from './http/routes/log-routes.js';
import { statsRoutes } from './http/routes/stats-routes.js';
import { systemRoutes } from './http/routes/system-routes.js';
import { whoAmIRoutes } from './http/routes/whoami-routes.js';
import { InvocationService } from './invocations/invocation-service.js';
import { FunctionLogStore } from './logs/function-log-store.js';
import { createLogger, type Logger } from './observability/logger.js';
import { PlatformMetrics } from './observability/platform-metrics.js';
import { CompletionRegistry } from './scheduler/completion-registry.js';
import { Scheduler } from './scheduler/scheduler.js';
import { type AdminKey, loadOrCreateAdminKey } from './security/admin-key-file.js';
import { ApiKeyAuthenticator } from './security/api-key-authenticator.js';
import { loadCallbackKey } from './security/callback-key.js';
import { ExecutionStore } from './store/execution-store.js';
import { FunctionStore } from './store/function-store.js';
import { IdempotencyStore } from './store/idempotency-store.js';
import { openDatabase } from './store/open-database.js';
import { WalCheckpointer } from './store/wal-checkpointer.js';
import { WriteBatcher } from './store/write-batcher.js';
import { OutboundUrlPolicy } from './webhooks/outbound-url-policy.js';
import { WebhookNotifier } from './webhooks/webhook-notifier.js';

/** The request of a recovered execution whose stored request is gone (it had ended). */
const EMPTY_REQUEST = Buffer.from('{"input":null}');

/** Side effects the app uses; each has a real default. */
export interface AppDeps {
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  readonly backend?: Backend;
  readonly logger?: Logger;
  /** Directory NANOFAAS_DATA_DIR is relative to. */
  readonly cwd?: string;
  /** A full garbage collection after bursts of large bodies; default V8's gc under --expose-gc. */
  readonly collectGarbage?: (() => void) | undefined;
}

export interface App {
  /** The request handler (for in-memory `inject` tests). */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  readonly server: Server;
  readonly services: AppServices;
  readonly backend: Backend;
  /** The generated admin key when NANOFAAS_API_KEYS is unset and auth is on (docs/security.md). */
  readonly adminKey: AdminKey | undefined;
  /** Starts the backend, loads functions, listens (unless `listen` is false), recovers executions. */
  start(options?: { listen?: boolean }): Promise<void>;
  /** Where it listens, e.g. http://127.0.0.1:8080. */
  url(): string;
  /** Graceful and idempotent: stop admitting, finish or persist in-flight work, close the database. */
  stop(): Promise<void>;
}

/** Builds the control plane from its config; opens the database, starts nothing. */
export function buildApp(config: Config, deps: AppDeps = {}): App {
  const clock = deps.clock ?? systemClock;
  const ids = deps.ids ?? createRandomIds(clock);
  const logger = deps.logger ?? createLogger(config.log);
  // Set once the registry exists (it needs the backend, which needs the store).
  let isRegistered: (name: string) => boolean = () => false;
  const logs = new FunctionLogStore(config.functionLogs, clock, (name) => isRegistered(name));
  const backend = deps.backend ?? createBackend(config.backend, { clock, logger, logs });

  const { db, file, dir } = openDatabase(config.store, deps.cwd ?? process.cwd());
  const adminKey = config.security.auth === 'generated' ? loadOrCreateAdminKey(dir) : undefined;
  const apiKeys = adminKey ? [{ key: adminKey.key, role: 'admin' as const }] : config.security.apiKeys;
  if (config.security.auth === 'off') {
    logger.warn('NANOFAAS_AUTH=off: the API needs no key (single-user machines only; docs/security.md)');
  }
  const checkpointer = file ? new WalCheckpointer(file, 1000) : undefined;
  const writes = new WriteBatcher(
    db,
    (error) => logger.error({ err: error }, 'database write failed'),
    config.store.synchronous,
    (count) => checkpointer?.noteWrites(count),
  );
  const executions = new ExecutionStore(db, writes, config.store.executionTtlMs);
  const idempotency = new IdempotencyStore(db, writes, config.store.idempotencyTtlMs);
  const functions = new FunctionStore(db);

  let scheduler: Scheduler | undefined;
  const metrics = new PlatformMetrics({
    queueDepth: () => scheduler?.queueDepths() ?? [],
    inFlight: () => scheduler?.inFlightCounts() ?? [],
  });
  metrics.registry.register({ render: (lines: string[]) => backend.collectMetrics?.(lines) });
  const webhookSecret = config.scheduler.webhookSecret;
  const webhookPolicy = webhookSecret
    ? new OutboundUrlPolicy({ allowedHosts: config.scheduler.webhookAllowedHosts })
    : undefined;
  const notifier = webhookSecret
    ? new WebhookNotifier({
        secret: webhookSecret,
        policy: webhookPolicy!,
        maxAttempts: config.scheduler.webhookMaxAttempts,
        timeoutMs: config.scheduler.webhookTimeoutMs,
        clock,
        logger,
        metrics,
        onDelivered: (id) => executions.markWebhookDelivered(id),
      })
    : undefined;
  const tracker = new ExecutionTracker(executions, metrics, clock, logger, (record) =>
    notifier?.deliver(record),
  );
  const completions = new CompletionRegistry(
    loadCallbackKey(config.store, deps.cwd ?? process.cwd()),
    () => config.server.callbackBaseUrl ?? app.url(),
  );
  scheduler = new Scheduler({
    backend,
    tracker,
    completions,
    metrics,
    clock,
    logger,
    retry: { baseMs: config.scheduler.retryBaseMs, maxMs: config.scheduler.retryMaxMs, random: ids.random },
  });
  const rateLimiter = new RateLimiter(config.admission, clock);
  const registry = new FunctionRegistry(functions, backend, scheduler, clock, logger, (name) => {
    idempotency.deleteForFunction(name);
    rateLimiter.forget(name);
    logs.forget(name);
  });
  isRegistered = (name) => registry.deployed(name) !== undefined;
  const invocations = new InvocationService({
    registry,
    scheduler,
    tracker,
    idempotency,
    rateLimiter,
    metrics,
    clock,
    ids,
    syncInputMaxBytes: config.store.syncInputMaxBytes,
  });

  let ready = false;
  const services: AppServices = {
    config,
    registry,
    invocations,
    tracker,
    completions,
    logs,
    metrics,
    logger,
    ids,
    webhookPolicy,
    isReady: () => ready,
  };
  const router = new Router([
    ...invocationRoutes(
      services,
      new LargeBodyReclaimer(clock, 'collectGarbage' in deps ? deps.collectGarbage : exposedCollector()),
    ),
    ...functionRoutes(services),
    ...executionRoutes(services, clock),
    ...logRoutes(services, clock),
    ...statsRoutes(services, clock, {
      inFlight: (name) => scheduler.inFlightCount(name),
      queued: (name) => scheduler.queuedCount(name),
    }),
    ...whoAmIRoutes(services),
    ...completionRoutes(services),
    ...systemRoutes(services),
    ...(config.dashboard.source === 'off' ? [] : dashboardRoutes(new DashboardFiles(config.dashboard))),
  ]);
  let shuttingDown = false;
  const pipeline = createRequestPipeline(
    router,
    new ApiKeyAuthenticator(apiKeys),
    logger,
    () => shuttingDown,
  );
  const handler = (req: IncomingMessage, res: ServerResponse) => void pipeline(req, res);
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, handler);
  // Errors of Node's HTTP parser (431 headers too large, a malformed request line or header)
  // get the documented error body instead of an empty answer, then the connection closes.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || (socket as { _httpMessage?: unknown })._httpMessage !== undefined) {
      socket.destroy();
      return;
    }
    socket.end(clientErrorResponse(error.code));
  });

  let cancelSweep: CancelTimer | undefined;
  let cancelReconcile: CancelTimer | undefined;
  const reconcile = () => {
    backend.reconcile(registry.deployedAll()).then(
      () => undefined,
      (error: unknown) => logger.warn({ err: error }, 'backend reconciliation failed'),
    );
    cancelReconcile = clock.setTimer(reconcile, config.scheduler.reconcileIntervalMs);
  };
  const sweep = () => {
    const now = clock.now();
    try {
      const removed = executions.sweep(now) + idempotency.sweep(now);
      if (removed > 0) logger.debug({ removed }, 'swept expired records');
    } catch (error) {
      logger.error({ err: error }, 'sweep failed');
    }
    cancelSweep = clock.setTimer(sweep, config.store.sweepIntervalMs);
  };

  const recover = () => {
    const recovered = tracker.recoverActive();
    for (const { record, runningAttempt } of recovered) {
      const live = {
        record,
        requestBody: record.request ?? EMPTY_REQUEST,
        traceparent: `00-${/^[0-9a-f]{32}$/.test(record.traceId) ? record.traceId : ids.traceId()}-${ids.spanId()}-01`,
        settled: false,
      };
      tracker.track(live);
      const fn = registry.deployed(record.functionName);
      if (fn?.spec.executionMode === 'REMOTE' && runningAttempt !== undefined)
        scheduler.resume(live, runningAttempt);
      else if (fn) scheduler.submit(live);
      else {
        const error = errorInfo('FUNCTION_DELETED', `function "${record.functionName}" no longer exists`);
        tracker.finish(live, { status: 'error', error });
      }
    }
    if (recovered.length > 0) logger.info({ count: recovered.length }, 'recovered queued executions');
    if (notifier) for (const record of executions.pendingWebhooks()) notifier.deliver(record);
  };

  let stopping: Promise<void> | undefined;
  const app: App = {
    handler,
    server,
    services,
    backend,
    adminKey,
    async start(options = {}) {
      await backend.start({
        load: { queuedCount: (name) => scheduler.queuedCount(name) },
        reportState: (name, status) => registry.noteState(name, status),
      });
      await registry.load();
      try {
        await backend.reconcile(registry.deployedAll());
      } catch (error) {
        logger.warn({ err: error }, 'backend reconciliation failed');
      }
      if (options.listen !== false) {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(config.server.port, config.server.host, () => {
            server.off('error', reject);
            resolve();
          });
        });
        logger.info({ url: app.url(), backend: backend.kind }, 'control plane listening');
      }
      // After listen: a recovered one-shot run needs the callback address.
      recover();
      sweep();
      cancelReconcile = clock.setTimer(reconcile, config.scheduler.reconcileIntervalMs);
      ready = true;
    },
    url() {
      const address = server.address() as AddressInfo | null;
      const port = address?.port ?? config.server.port;
      const host = address?.address ?? config.server.host;
      // Listening on every interface: loopback reaches it from this machine.
      const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
      return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
    },
    stop() {
      stopping ??= (async () => {
        ready = false;
        shuttingDown = true;
        invocations.stopAdmitting();
        // The listener stays open while running attempts finish: one-shot runs call back through
        // it, and callers read their executions (docs/lifecycle.md, "Shutdown").
        await scheduler.stop(config.server.shutdownGraceMs);
        const closed = server.listening
          ? new Promise<void>((resolve) => server.close(() => resolve()))
          : Promise.resolve();
        server.closeIdleConnections();
        notifier?.stop();
        cancelSweep?.();
        cancelReconcile?.();
        await backend.stop();
        writes.close();
        await checkpointer?.stop();
        if (file) db.pragma('wal_checkpoint(TRUNCATE)');
        db.close();
        server.closeAllConnections();
        await closed;
        logger.info('control plane stopped');
      })();
      return stopping;
    },
  };
  return app;
}

/** A complete HTTP/1.1 error answer for a request Node's parser refused. */
function clientErrorResponse(code: string | undefined): string {
  const tooLarge = code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
  const message = tooLarge
    ? 'the request headers are over the limit of node:http (16 KiB by default)'
    : `the request is not valid HTTP/1.1 (${code ?? 'parse error'})`;
  const body = JSON.stringify({
    error: errorInfo(tooLarge ? 'HEADERS_TOO_LARGE' : 'MALFORMED_REQUEST', message),
  });
  return (
    `HTTP/1.1 ${status}\r\ncontent-type: application/json; charset=utf-8\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n${HeaderKeys.errorOrigin}: client\r\nconnection: close\r\n\r\n${body}`
  );
}
