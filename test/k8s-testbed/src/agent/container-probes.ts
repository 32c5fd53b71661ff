import type { V1Container } from '@kubernetes/client-node';
import type { ProbeTarget } from './probe.js';
import { ProbeLoop } from './probe-loop.js';

export interface ContainerProbesOptions {
  container: V1Container;
  target: ProbeTarget;
  /** Readiness changed (true at once when the container has no readiness probe). */
  onReady(ready: boolean, message: string): void;
  /** A liveness or startup probe failed past its threshold: the kubelet kills the container. */
  onUnhealthy(probe: 'Liveness' | 'Startup', message: string): void;
}

/**
 * The probes of one container run, wired as the kubelet does: a startup probe, if any, must
 * succeed first; then readiness drives the Ready condition and liveness failures kill.
 */
export class ContainerProbes {
  private loops: ProbeLoop[] = [];

  constructor(private readonly options: ContainerProbesOptions) {}

  start(): void {
    const { startupProbe } = this.options.container;
    if (!startupProbe) {
      this.startMain();
      return;
    }
    this.add(
      new ProbeLoop({
        probe: startupProbe,
        target: this.options.target,
        onResult: (healthy, message) => {
          if (healthy) this.startMain();
          else this.options.onUnhealthy('Startup', message);
        },
      }),
    );
  }

  stop(): void {
    for (const loop of this.loops) loop.stop();
    this.loops = [];
  }

  private startMain(): void {
    const { container, target, onReady, onUnhealthy } = this.options;
    if (container.readinessProbe) {
      this.add(new ProbeLoop({ probe: container.readinessProbe, target, onResult: onReady }));
    } else {
      onReady(true, '');
    }
    if (container.livenessProbe) {
      this.add(
        new ProbeLoop({
          probe: container.livenessProbe,
          target,
          onResult: (healthy, message) => {
            if (!healthy) onUnhealthy('Liveness', message);
          },
        }),
      );
    }
  }

  private add(loop: ProbeLoop): void {
    this.loops.push(loop);
    loop.start();
  }
}
