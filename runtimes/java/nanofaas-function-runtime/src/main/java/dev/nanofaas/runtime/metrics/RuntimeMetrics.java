package dev.nanofaas.runtime.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The runtime's Prometheus metrics, with the Node runtime's names (packages/runtime/src/runtime-metrics.ts)
 * where they mean the same: nanofaas_runtime_invocations_total{status},
 * nanofaas_runtime_invocation_duration_seconds (histogram, same buckets), nanofaas_runtime_in_flight,
 * nanofaas_runtime_init_duration_seconds, process_start_time_seconds, process_resident_memory_bytes;
 * plus the JVM's own jvm_memory_* and jvm_threads_* in place of nodejs_heap_used_bytes.
 */
public final class RuntimeMetrics {
  private static final Duration[] BUCKETS =
      seconds(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60);

  private final MeterRegistry registry;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final ConcurrentMap<Integer, Counter> byStatus = new ConcurrentHashMap<>();
  private final Timer duration;

  public RuntimeMetrics(MeterRegistry registry, Supplier<Long> initDurationMs) {
    this.registry = registry;
    this.duration =
        Timer.builder("nanofaas.runtime.invocation.duration")
            .description("Time the handler ran, per invocation.")
            .serviceLevelObjectives(BUCKETS)
            .register(registry);
    Gauge.builder("nanofaas.runtime.in.flight", inFlight, AtomicInteger::get)
        .description("Invocations running now.")
        .register(registry);
    Gauge.builder("nanofaas.runtime.init.duration", () -> initDurationMs.get() / 1000.0)
        .description("Time from process start until the runtime was ready.")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder("process.resident.memory", RuntimeMetrics::residentBytes)
        .description("Resident memory size.")
        .baseUnit("bytes")
        .register(registry);
    new UptimeMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
  }

  public void started() {
    inFlight.incrementAndGet();
  }

  public void finished() {
    inFlight.decrementAndGet();
  }

  /** One answered /invoke request; durationNanos is the handler's run time, or negative when it did not run. */
  public void recordInvocation(int status, long durationNanos) {
    byStatus
        .computeIfAbsent(
            status,
            code ->
                Counter.builder("nanofaas.runtime.invocations")
                    .description("Answered /invoke requests by HTTP status.")
                    .tag("status", Integer.toString(code))
                    .register(registry))
        .increment();
    if (durationNanos >= 0) duration.record(durationNanos, TimeUnit.NANOSECONDS);
  }

  private static double residentBytes() {
    try {
      String[] statm = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
      return Long.parseLong(statm[1]) * 4096.0;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private static Duration[] seconds(double... bounds) {
    Duration[] durations = new Duration[bounds.length];
    for (int i = 0; i < bounds.length; i++) durations[i] = Duration.ofNanos((long) (bounds[i] * 1e9));
    return durations;
  }
}
