import { createHmac } from 'node:crypto';
import { Headers } from '@nanofaas/contracts';
import type { CancelTimer, Clock } from '../deps/clock.js';
import type { ExecutionRecord } from '../executions/execution-record.js';
import { executionStatusJson } from '../executions/execution-record.js';
import type { Logger } from '../observability/logger.js';
import type { PlatformMetrics } from '../observability/platform-metrics.js';
import { type OutboundUrlPolicy, OutboundUrlRefusal } from './outbound-url-policy.js';

export interface WebhookNotifierOptions {
  readonly secret: string;
  /** Checked again at every connect: the address a name resolves to then must be allowed too. */
  readonly policy: OutboundUrlPolicy;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: PlatformMetrics;
  /** Called once a delivery got a 2xx (the store stops retrying it after a restart). */
  readonly onDelivered: (executionId: string) => void;
}

/**
 * Posts the final ExecutionStatus of an async execution to its X-Callback-Url, signed with
 * `X-Nanofaas-Signature: sha256=<hex HMAC-SHA256(secret, body)>`, retrying with backoff.
 */
export class WebhookNotifier {
  private readonly timers = new Set<CancelTimer>();
  private stopped = false;
  private dispatcher: Promise<import('undici').Dispatcher> | undefined;

  constructor(private readonly options: WebhookNotifierOptions) {}

  deliver(record: ExecutionRecord): void {
    if (!record.callbackUrl || this.stopped) return;
    const body = executionStatusJson(record);
    const signature = `sha256=${createHmac('sha256', this.options.secret).update(body).digest('hex')}`;
    void this.attempt(record, record.callbackUrl, body, signature, 1);
  }

  stop(): void {
    this.stopped = true;
    for (const cancel of this.timers) cancel();
    this.timers.clear();
    void this.dispatcher?.then((agent) => agent.close()).catch(() => undefined);
  }

  /** One keep-alive agent whose every connection goes through the policy's lookup (DNS rebinding). */
  private agent(): Promise<import('undici').Dispatcher> {
    // Loaded on first use: most control planes never send a webhook.
    this.dispatcher ??= import('undici').then(
      ({ Agent }) => new Agent({ connect: { lookup: this.options.policy.connectLookup } }),
    );
    return this.dispatcher;
  }

  private async attempt(
    record: ExecutionRecord,
    url: string,
    body: string,
    signature: string,
    attempt: number,
  ): Promise<void> {
    const { logger, maxAttempts, clock } = this.options;
    let problem: string;
    let permanent = false;
    try {
      const [{ request }, dispatcher] = await Promise.all([import('undici'), this.agent()]);
      const response = await request(url, {
        dispatcher,
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          [Headers.signature]: signature,
          [Headers.executionId]: record.id,
          [Headers.traceId]: record.traceId,
        },
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      await response.body.dump();
      if (response.statusCode >= 200 && response.statusCode < 300) {
        this.options.onDelivered(record.id);
        return;
      }
      problem = `status ${response.statusCode}`;
      // A receiver that refuses the delivery (400, 401, 404, …) will refuse it again; 408 and 429
      // say "later".
      permanent = isPermanentRefusal(response.statusCode);
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
      permanent = error instanceof OutboundUrlRefusal;
    }
    if (this.stopped) return;
    if (attempt >= maxAttempts || permanent) {
      this.options.metrics.webhookFailures.inc();
      this.options.onDelivered(record.id);
      logger.warn({ executionId: record.id, attempt, problem }, 'webhook delivery given up');
      return;
    }
    const delayMs = Math.min(30_000, 500 * 2 ** (attempt - 1));
    logger.debug({ executionId: record.id, attempt, problem, delayMs }, 'webhook delivery failed; retrying');
    const cancel = clock.setTimer(() => {
      this.timers.delete(cancel);
      void this.attempt(record, url, body, signature, attempt + 1);
    }, delayMs);
    this.timers.add(cancel);
  }
}

function isPermanentRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}
