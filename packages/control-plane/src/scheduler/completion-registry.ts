import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CompletionChannel, RunCompletion } from '../backends/backend.js';

export interface OpenCompletionChannel extends CompletionChannel {
  /** Stops waiting (the attempt ended some other way). */
  close(): void;
}

/**
 * Callback channels of one-shot (REMOTE) runs. Each attempt's token is HMAC(secret, id:attempt) with
 * a random per-process secret: unguessable, different per attempt, and checkable without storing it.
 */
export class CompletionRegistry {
  private readonly waiting = new Map<string, { attempt: number; resolve: (body: RunCompletion) => void }>();

  constructor(
    private readonly secret: Buffer,
    /** The control plane's public base URL, read when a channel opens (known once it listens). */
    private readonly baseUrl: () => string,
  ) {}

  get url(): string {
    return `${this.baseUrl()}/v1/internal/executions`;
  }

  open(executionId: string, attempt: number): OpenCompletionChannel {
    let resolve!: (body: RunCompletion) => void;
    const done = new Promise<RunCompletion>((r) => {
      resolve = r;
    });
    this.waiting.set(executionId, { attempt, resolve });
    return {
      url: this.url,
      token: this.tokenFor(executionId, attempt),
      wait: () => done,
      close: () => {
        if (this.waiting.get(executionId)?.attempt === attempt) this.waiting.delete(executionId);
      },
    };
  }

  /** The attempt (1…latestAttempt) whose token this is, compared in constant time; else undefined. */
  authenticate(executionId: string, token: string, latestAttempt: number): number | undefined {
    const presented = Buffer.from(token);
    let matched: number | undefined;
    for (let attempt = 1; attempt <= latestAttempt; attempt++) {
      const expected = Buffer.from(this.tokenFor(executionId, attempt));
      if (presented.length === expected.length && timingSafeEqual(presented, expected)) matched = attempt;
    }
    return matched;
  }

  /** Hands the callback to the attempt waiting for it; false when that attempt no longer waits. */
  deliver(executionId: string, attempt: number, body: RunCompletion): boolean {
    const waiter = this.waiting.get(executionId);
    if (!waiter || waiter.attempt !== attempt) return false;
    this.waiting.delete(executionId);
    waiter.resolve(body);
    return true;
  }

  private tokenFor(executionId: string, attempt: number): string {
    return createHmac('sha256', this.secret).update(`${executionId}:${attempt}`).digest('base64url');
  }
}
