package dev.nanofaas.runtime.invoke;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nanofaas.function.FunctionException;
import dev.nanofaas.function.FunctionHandler;
import dev.nanofaas.runtime.wire.ErrorAnswer;
import dev.nanofaas.runtime.wire.ErrorCode;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs the handler until it returns or its deadline passes, and turns the result into wire bytes or an
 * error answer (the Node runtime's invoke-handler.ts):
 *
 * <ul>
 *   <li>a return value → its JSON (a {@code byte[]} as is, application/octet-stream);
 *   <li>a {@link FunctionException} → 500 with its own code, message, retryable and details;
 *   <li>anything else thrown → 500 UNHANDLED_ERROR with the message; the stack trace is logged only;
 *   <li>the deadline → 408 TIMEOUT at once; the handler's thread is interrupted, and whatever it
 *       returns later is dropped. An answer that comes after the deadline counts as a timeout too.
 * </ul>
 *
 * The handler runs on a thread of the executor so that the caller gets its answer at the deadline even
 * when the handler ignores the interrupt; the executor is bounded, and a full one is 429
 * CONCURRENCY_LIMIT.
 */
public final class HandlerInvoker {
  private static final Logger log = LoggerFactory.getLogger(HandlerInvoker.class);
  private static final String JSON = "application/json";
  private static final String BINARY = "application/octet-stream";
  private static final byte[] NULL = {'n', 'u', 'l', 'l'};

  private final FunctionHandler handler;
  private final ObjectMapper mapper;
  private final ExecutorService executor;
  private final String functionName;
  private final Clock clock;
  private final Logger functionLogger;

  public HandlerInvoker(
      FunctionHandler handler, ObjectMapper mapper, ExecutorService executor, String functionName, Clock clock) {
    this.handler = handler;
    this.mapper = mapper;
    this.executor = executor;
    this.functionName = functionName;
    this.clock = clock;
    this.functionLogger = LoggerFactory.getLogger("function" + (functionName == null ? "" : "." + functionName));
  }

  public Outcome invoke(Invocation invocation) {
    long started = System.nanoTime();
    long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(invocation.timeoutMs());
    DefaultInvocationRequest request =
        new DefaultInvocationRequest(
            invocation,
            mapper,
            clock.instant().plusMillis(invocation.timeoutMs()),
            started + timeoutNanos,
            new DefaultFunctionContext(functionLogger, functionName, started + timeoutNanos));
    Map<String, String> mdc = MDC.getCopyOfContextMap();
    Future<Object> running;
    try {
      running =
          executor.submit(
              () -> {
                if (mdc != null) MDC.setContextMap(mdc);
                try {
                  return handler.handle(request);
                } finally {
                  MDC.clear();
                }
              });
    } catch (RejectedExecutionException e) {
      return new Outcome.Failure(
          ErrorAnswer.of(ErrorCode.CONCURRENCY_LIMIT, "the runtime is already running its maximum of invocations"),
          System.nanoTime() - started);
    }
    Object value;
    try {
      value = running.get(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      running.cancel(true);
      return timeout(invocation, started);
    } catch (ExecutionException e) {
      return new Outcome.Failure(describeFailure(e.getCause()), System.nanoTime() - started);
    } catch (InterruptedException e) {
      running.cancel(true);
      Thread.currentThread().interrupt();
      return new Outcome.Failure(
          ErrorAnswer.of(ErrorCode.INTERNAL_ERROR, "the runtime was interrupted while the function ran"),
          System.nanoTime() - started);
    }
    long duration = System.nanoTime() - started;
    if (duration > timeoutNanos) return timeout(invocation, started);
    return serialise(value, duration);
  }

  private Outcome timeout(Invocation invocation, long started) {
    log.warn("invocation timed out; the handler's thread was interrupted (timeoutMs={})", invocation.timeoutMs());
    return new Outcome.Failure(
        ErrorAnswer.of(
            ErrorCode.TIMEOUT, "the function did not finish within its timeout of " + invocation.timeoutMs() + " ms"),
        System.nanoTime() - started);
  }

  private Outcome serialise(Object value, long duration) {
    if (value == null) return new Outcome.Success(NULL, JSON, duration);
    if (value instanceof byte[] bytes) return new Outcome.Success(bytes, BINARY, duration);
    try {
      return new Outcome.Success(mapper.writeValueAsBytes(value), JSON, duration);
    } catch (JsonProcessingException | RuntimeException e) {
      String reason = firstLine(e.getMessage());
      log.warn("invalid output: {}", reason);
      return new Outcome.Failure(
          ErrorAnswer.of(ErrorCode.INVALID_OUTPUT, "the function's output cannot be serialised to JSON: " + reason),
          duration);
    }
  }

  /** FunctionException → its own code; anything else → UNHANDLED_ERROR, message only (the stack is logged). */
  public ErrorAnswer describeFailure(Throwable thrown) {
    if (thrown instanceof FunctionException failure) {
      log.debug("function error {}: {}", failure.code(), failure.getMessage());
      return ErrorAnswer.function(failure.code(), failure.getMessage(), failure.retryable(), serialisable(failure.details()));
    }
    log.error("the handler threw an error", thrown);
    String message = thrown.getMessage();
    return ErrorAnswer.of(
        ErrorCode.UNHANDLED_ERROR, message == null || message.isEmpty() ? "the function threw an error" : message);
  }

  private JsonNode serialisable(Object details) {
    if (details == null) return null;
    try {
      return mapper.valueToTree(details);
    } catch (RuntimeException e) {
      log.warn("the details of a FunctionException cannot be serialised; they are left out: {}", e.getMessage());
      return null;
    }
  }

  private static String firstLine(String message) {
    if (message == null) return "unknown reason";
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
