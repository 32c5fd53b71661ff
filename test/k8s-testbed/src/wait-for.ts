import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitForOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Called between attempts; throw from it to stop waiting early (e.g. the process died). */
  check?: () => void;
}

/**
 * Polls `probe` until it returns a value other than undefined/false, or fails with a message naming
 * `what` and the last error seen.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  options: WaitForOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    options.check?.();
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${detail}`);
    }
    await sleep(options.intervalMs ?? 200);
  }
}
