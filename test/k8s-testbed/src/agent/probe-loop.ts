import type { V1Probe } from '@kubernetes/client-node';
import { type ProbeTarget, runProbe } from './probe.js';

export interface ProbeLoopOptions {
  probe: V1Probe;
  target: ProbeTarget;
  /** Called when the probe's verdict changes (after success/failure thresholds). */
  onResult(healthy: boolean, message: string): void;
}

/**
 * One probe of one container, on the kubelet's schedule: first attempt after
 * initialDelaySeconds, then every periodSeconds (default 10); a verdict changes after
 * successThreshold consecutive successes or failureThreshold consecutive failures.
 */
export class ProbeLoop {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private successes = 0;
  private failures = 0;
  private verdict: boolean | undefined;

  constructor(private readonly options: ProbeLoopOptions) {}

  start(): void {
    this.schedule((this.options.probe.initialDelaySeconds ?? 0) * 1000);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.attempt(), delayMs);
  }

  private async attempt(): Promise<void> {
    const { probe, target, onResult } = this.options;
    const result = await runProbe(probe, target);
    if (this.stopped) return;
    if (result.ok) {
      this.failures = 0;
      this.successes++;
      if (this.verdict !== true && this.successes >= (probe.successThreshold ?? 1)) {
        this.verdict = true;
        onResult(true, '');
      }
    } else {
      this.successes = 0;
      this.failures++;
      if (this.verdict !== false && this.failures >= (probe.failureThreshold ?? 3)) {
        this.verdict = false;
        onResult(false, result.message);
      }
    }
    this.schedule((probe.periodSeconds ?? 10) * 1000);
  }
}
