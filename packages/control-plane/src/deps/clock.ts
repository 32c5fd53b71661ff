/** Cancels a timer; calling it twice is harmless. */
export type CancelTimer = () => void;

/** Time as the platform sees it; injected so the scheduler and rate limits are testable without sleeping. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` after `delayMs`; the timer does not keep the process alive. */
  setTimer(callback: () => void, delayMs: number): CancelTimer;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(callback, delayMs) {
    const timer = setTimeout(callback, delayMs);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
