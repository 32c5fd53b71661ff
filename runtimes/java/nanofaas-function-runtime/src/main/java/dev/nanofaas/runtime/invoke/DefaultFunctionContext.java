package dev.nanofaas.runtime.invoke;

import dev.nanofaas.function.FunctionContext;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

final class DefaultFunctionContext implements FunctionContext {
  private final Logger logger;
  private final String functionName;
  private final long deadlineNanos;

  DefaultFunctionContext(Logger logger, String functionName, long deadlineNanos) {
    this.logger = logger;
    this.functionName = functionName;
    this.deadlineNanos = deadlineNanos;
  }

  @Override
  public Logger logger() {
    return logger;
  }

  @Override
  public long remainingMillis() {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }

  @Override
  public String functionName() {
    return functionName;
  }
}
