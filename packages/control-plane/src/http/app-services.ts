import type { Config } from '../config/load-config.js';
import type { IdGenerator } from '../deps/id-generator.js';
import type { ExecutionTracker } from '../executions/execution-tracker.js';
import type { FunctionRegistry } from '../functions/function-registry.js';
import type { InvocationService } from '../invocations/invocation-service.js';
import type { FunctionLogStore } from '../logs/function-log-store.js';
import type { Logger } from '../observability/logger.js';
import type { PlatformMetrics } from '../observability/platform-metrics.js';
import type { CompletionRegistry } from '../scheduler/completion-registry.js';
import type { OutboundUrlPolicy } from '../webhooks/outbound-url-policy.js';

/** What the routes use; built once by buildApp. */
export interface AppServices {
  readonly config: Config;
  readonly registry: FunctionRegistry;
  readonly invocations: InvocationService;
  readonly tracker: ExecutionTracker;
  readonly completions: CompletionRegistry;
  /** Recent output of every function's processes (the log API). */
  readonly logs: FunctionLogStore;
  readonly metrics: PlatformMetrics;
  readonly logger: Logger;
  readonly ids: IdGenerator;
  /** Which X-Callback-Url targets are allowed; undefined when webhooks are off (no secret). */
  readonly webhookPolicy: OutboundUrlPolicy | undefined;
  /** Ready once recovery ran and until shutdown begins. */
  isReady(): boolean;
}
