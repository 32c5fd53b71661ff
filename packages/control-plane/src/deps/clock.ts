/** Cancels a timer; calling it twice is harmless. */
export type CancelTimer = () => void;

/** Time as the platform sees it; injected so the scheduler and rate limits are testable without sleeping. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` after `delayMs`; the timer does not keep the process alive. */
  setTimer(callback: () => void, delayMs: number): CancelTimer;
}

/** Resolves after `delayMs` on `clock` (a poll's pause; tests move it with the clock). */
export function sleep(clock: Clock, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    clock.setTimer(resolve, delayMs);
  });
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(callback, delayMs) {
    const timer = setTimeout(callback, delayMs);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
