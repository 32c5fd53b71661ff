package dev.nanofaas.runtime.oneshot;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nanofaas.runtime.config.RuntimeConfig;
import dev.nanofaas.runtime.invoke.DecodedRequest;
import dev.nanofaas.runtime.invoke.HandlerInvoker;
import dev.nanofaas.runtime.invoke.Invocation;
import dev.nanofaas.runtime.invoke.InvocationRequestDecoder;
import dev.nanofaas.runtime.invoke.Outcome;
import dev.nanofaas.runtime.web.TraceIds;
import dev.nanofaas.runtime.wire.ErrorAnswer;
import dev.nanofaas.runtime.wire.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One-shot mode (a REMOTE Job without the watchdog; the Node runtime's run-one-shot.ts): runs
 * INVOCATION_PAYLOAD once, reports the result to the completion callback and returns the exit status
 * of watchdog/README.md: 0 the function succeeded and the result was delivered, 1 it failed and the
 * result was delivered, 3 the callback could not be delivered.
 */
public final class OneShotRunner {
  public static final int SUCCEEDED = 0;
  public static final int FAILED = 1;
  public static final int UNDELIVERED = 3;
  private static final Logger log = LoggerFactory.getLogger(OneShotRunner.class);

  private final HandlerInvoker invoker;
  private final InvocationRequestDecoder decoder;
  private final CallbackClient callbacks;
  private final ObjectMapper mapper;

  public OneShotRunner(HandlerInvoker invoker, InvocationRequestDecoder decoder, CallbackClient callbacks, ObjectMapper mapper) {
    this.invoker = invoker;
    this.decoder = decoder;
    this.callbacks = callbacks;
    this.mapper = mapper;
  }

  public int run(RuntimeConfig config) {
    RuntimeConfig.OneShotConfig oneShot = config.oneShot();
    String traceId = config.traceId() != null ? config.traceId() : TraceIds.generate();
    MDC.put("executionId", config.executionId());
    MDC.put("traceId", traceId);
    try {
      Object result = invoke(config, traceId);
      byte[] body = callbackBody(result);
      CallbackClient.Delivery delivery =
          callbacks.deliver(oneShot.callbackUrl(), config.executionId(), traceId, oneShot.callbackToken(), body);
      if (delivery instanceof CallbackClient.Undelivered undelivered) {
        log.error("the completion callback could not be delivered (attempts={}, reason={})", undelivered.attempts(), undelivered.reason());
        return UNDELIVERED;
      }
      if (result instanceof ErrorAnswer answer) {
        log.warn("one-shot run failed (code={}, attempts={})", answer.error().code(), delivery.attempts());
        return FAILED;
      }
      log.info("one-shot run succeeded (attempts={})", delivery.attempts());
      return SUCCEEDED;
    } finally {
      MDC.clear();
    }
  }

  /** The output JSON bytes, or the error answer. */
  private Object invoke(RuntimeConfig config, String traceId) {
    InvocationRequestDecoder.Result decoded = decoder.decode(config.oneShot().payload().getBytes(StandardCharsets.UTF_8));
    if (decoded instanceof InvocationRequestDecoder.Refused refused) {
      return refused.answer().withMessage("INVOCATION_PAYLOAD: " + refused.answer().error().message());
    }
    DecodedRequest request = ((InvocationRequestDecoder.Accepted) decoded).request();
    Outcome outcome =
        invoker.invoke(
            new Invocation(
                request.input(), null, "application/json", request.metadata(), config.executionId(), traceId, config.timeoutMs(), 1));
    if (outcome instanceof Outcome.Failure failure) return failure.answer();
    Outcome.Success success = (Outcome.Success) outcome;
    if (!"application/json".equals(success.contentType())) {
      return ErrorAnswer.of(
          ErrorCode.INVALID_OUTPUT, "binary output cannot be carried by the completion callback; return a JSON value");
    }
    return success.body();
  }

  /** {@code {"success":true,"output":<the output bytes as they are>}} or {@code {"success":false,"error":{...}}}. */
  private byte[] callbackBody(Object result) {
    if (result instanceof byte[] output) {
      ByteArrayOutputStream body = new ByteArrayOutputStream(output.length + 32);
      body.writeBytes("{\"success\":true,\"output\":".getBytes(StandardCharsets.UTF_8));
      body.writeBytes(output);
      body.write('}');
      return body.toByteArray();
    }
    Map<String, Object> failure = new LinkedHashMap<>();
    failure.put("success", false);
    failure.put("error", ((ErrorAnswer) result).error());
    try {
      return mapper.writeValueAsBytes(failure);
    } catch (IOException e) {
      throw new IllegalStateException("an error answer could not be serialised", e);
    }
  }
}
