package dev.nanofaas.runtime.web;

import java.util.concurrent.atomic.AtomicBoolean;

/** What the HTTP routes share: the cold-start flag, the start-up time and whether the server drains. */
public final class RuntimeState {
  private final AtomicBoolean coldStart = new AtomicBoolean(true);
  private volatile long initDurationMs = -1;
  private volatile boolean draining;

  /** True once: for the first /invoke answer of the process. */
  public boolean takeColdStart() {
    return coldStart.get() && coldStart.compareAndSet(true, false);
  }

  public long initDurationMs() {
    return initDurationMs;
  }

  public void markReady(long initDurationMs) {
    this.initDurationMs = initDurationMs;
  }

  public boolean draining() {
    return draining;
  }

  public void startDraining() {
    draining = true;
  }
}
