package dev.nanofaas.runtime.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import dev.nanofaas.runtime.invoke.BodyFormat;
import dev.nanofaas.runtime.invoke.DecodedRequest;
import dev.nanofaas.runtime.invoke.HandlerInvoker;
import dev.nanofaas.runtime.invoke.Invocation;
import dev.nanofaas.runtime.invoke.InvocationRequestDecoder;
import dev.nanofaas.runtime.invoke.Outcome;
import dev.nanofaas.runtime.metrics.RuntimeMetrics;
import dev.nanofaas.runtime.wire.ErrorAnswer;
import dev.nanofaas.runtime.wire.ErrorCode;
import dev.nanofaas.runtime.wire.ValidationIssue;
import dev.nanofaas.runtime.wire.WireHeaders;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

/**
 * The function's HTTP face, the same wire as the Node runtime (packages/runtime/src/invoke-route.ts
 * and server.ts). POST /invoke, top to bottom:
 *
 * <ol>
 *   <li>headers — X-Execution-Id, X-Trace-Id / traceparent (TraceLoggingFilter), X-Timeout-Ms,
 *       X-Dispatch-Attempt → 400 VALIDATION_FAILED
 *   <li>media type — JSON → InvocationRequest; anything else → raw bytes → 415
 *   <li>body — at most MAX_BODY_BYTES → 413 PAYLOAD_TOO_LARGE (and the connection is closed)
 *   <li>decode — 400 MALFORMED_JSON; the contracts' schema → 400 VALIDATION_FAILED
 *   <li>run — the handler until its deadline → 408 TIMEOUT; throws → 500 (its code / UNHANDLED_ERROR)
 *   <li>answer — output bytes → 200; unserialisable → 500 INVALID_OUTPUT
 * </ol>
 */
@RestController
public class InvokeController {
  private static final Logger log = LoggerFactory.getLogger(InvokeController.class);
  private static final String JSON = "application/json";
  private static final byte[] HEALTHY = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);

  private final HandlerInvoker invoker;
  private final InvocationRequestDecoder decoder;
  private final RuntimeMetrics metrics;
  private final PrometheusMeterRegistry prometheus;
  private final RuntimeState state;
  private final ErrorWriter errors;
  private final int maxBodyBytes;
  private final int timeoutMs;

  public InvokeController(
      HandlerInvoker invoker,
      InvocationRequestDecoder decoder,
      RuntimeMetrics metrics,
      PrometheusMeterRegistry prometheus,
      RuntimeState state,
      ErrorWriter errors,
      int maxBodyBytes,
      int timeoutMs) {
    this.invoker = invoker;
    this.decoder = decoder;
    this.metrics = metrics;
    this.prometheus = prometheus;
    this.state = state;
    this.errors = errors;
    this.maxBodyBytes = maxBodyBytes;
    this.timeoutMs = timeoutMs;
  }

  @PostMapping("/invoke")
  public void invoke(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String executionId = (String) request.getAttribute(TraceLoggingFilter.EXECUTION_ID);
    String traceId = (String) request.getAttribute(TraceLoggingFilter.TRACE_ID);
    metrics.started();
    try {
      Timing timing = readTiming(request);
      if (timing.refused() != null) {
        reply(response, executionId, traceId, timing.refused(), -1, false);
        return;
      }

      BodyFormat format = BodyFormat.classify(request.getContentType());
      if (format instanceof BodyFormat.Unsupported unsupported) {
        reply(response, executionId, traceId, unsupported.answer(), -1, false);
        return;
      }
      long declared = request.getContentLengthLong();
      if (declared > maxBodyBytes) {
        reply(response, executionId, traceId, tooLarge(declared + " bytes"), -1, true);
        return;
      }
      byte[] body = request.getInputStream().readNBytes(maxBodyBytes + 1);
      if (body.length > maxBodyBytes) {
        reply(response, executionId, traceId, tooLarge("more than that"), -1, true);
        return;
      }

      JsonNode input;
      byte[] raw = null;
      String contentType = JSON;
      Map<String, String> metadata = Collections.emptyMap();
      if (format instanceof BodyFormat.Raw rawFormat) {
        raw = body;
        input = BinaryNode.valueOf(body);
        contentType = rawFormat.contentType();
      } else {
        InvocationRequestDecoder.Result decoded = decoder.decode(body);
        if (decoded instanceof InvocationRequestDecoder.Refused refused) {
          reply(response, executionId, traceId, refused.answer(), -1, false);
          return;
        }
        DecodedRequest accepted = ((InvocationRequestDecoder.Accepted) decoded).request();
        input = accepted.input();
        metadata = accepted.metadata();
      }
      Invocation invocation =
          new Invocation(
              input, raw, contentType, metadata, executionId, traceId, timing.timeoutMs(), timing.attempt());
      Outcome outcome = invoker.invoke(invocation);
      if (outcome instanceof Outcome.Success success) {
        writeAnswer(response, executionId, traceId, 200, success.contentType(), success.body(), null, false);
        metrics.recordInvocation(200, success.durationNanos());
      } else {
        Outcome.Failure failure = (Outcome.Failure) outcome;
        reply(response, executionId, traceId, failure.answer(), failure.durationNanos(), false);
      }
    } catch (IOException e) {
      // The caller went away mid-body or mid-answer: nobody is left to answer.
      log.debug("the caller closed the connection: {}", e.getMessage());
    } catch (RuntimeException e) {
      log.error("invoke failed inside the runtime", e);
      if (!response.isCommitted()) {
        ErrorAnswer answer = ErrorAnswer.of(ErrorCode.INTERNAL_ERROR, "the runtime failed to handle the invocation");
        reply(response, executionId, traceId, answer, -1, false);
      }
    } finally {
      metrics.finished();
    }
  }

  @RequestMapping(
      value = "/health",
      method = {RequestMethod.GET, RequestMethod.HEAD})
  public void health(HttpServletResponse response) throws IOException {
    if (state.draining()) {
      errors.write(response, ErrorAnswer.of(ErrorCode.NOT_READY, "the runtime is shutting down"), true);
      return;
    }
    response.setStatus(200);
    response.setContentType(JSON);
    response.setContentLength(HEALTHY.length);
    response.getOutputStream().write(HEALTHY);
  }

  @GetMapping("/metrics")
  public void metrics(HttpServletResponse response) throws IOException {
    byte[] text = prometheus.scrape().getBytes(StandardCharsets.UTF_8);
    response.setStatus(200);
    response.setContentType("text/plain; version=0.0.4; charset=utf-8");
    response.setContentLength(text.length);
    response.getOutputStream().write(text);
  }

  /** The invocation's timeout and attempt from its headers, or the answer that refuses them. */
  private record Timing(int timeoutMs, int attempt, ErrorAnswer refused) {}

  /** X-Timeout-Ms can lower the configured timeout (never raise it); X-Dispatch-Attempt defaults to 1. */
  private Timing readTiming(HttpServletRequest request) {
    String timeoutHeader = nonEmpty(request.getHeader(WireHeaders.TIMEOUT_MS));
    String attemptHeader = nonEmpty(request.getHeader(WireHeaders.DISPATCH_ATTEMPT));
    Integer requested = timeoutHeader == null ? null : positiveInteger(timeoutHeader);
    Integer attempt = attemptHeader == null ? Integer.valueOf(1) : positiveInteger(attemptHeader);
    List<ValidationIssue> issues = new ArrayList<>(0);
    if (timeoutHeader != null && requested == null) issues.add(headerIssue(WireHeaders.TIMEOUT_MS, timeoutHeader));
    if (attempt == null) issues.add(headerIssue(WireHeaders.DISPATCH_ATTEMPT, attemptHeader));
    if (!issues.isEmpty()) {
      StringBuilder message = new StringBuilder();
      for (ValidationIssue issue : issues) {
        if (message.length() > 0) message.append("; ");
        message.append("header ").append(issue.field()).append(": ").append(issue.message());
      }
      return new Timing(0, 0, ErrorAnswer.validation(message.toString(), List.copyOf(issues)));
    }
    return new Timing(requested == null ? timeoutMs : Math.min(requested, timeoutMs), attempt, null);
  }

  private static ValidationIssue headerIssue(String field, String value) {
    return new ValidationIssue(field, "type", "must be a positive whole number (got \"" + value + "\")");
  }

  private static Integer positiveInteger(String text) {
    String trimmed = text.trim();
    if (!trimmed.matches("\\d{1,16}")) return null;
    long value = Long.parseLong(trimmed);
    return value >= 1 && value <= Integer.MAX_VALUE ? (int) value : null;
  }

  private static String nonEmpty(String value) {
    return value == null || value.isEmpty() ? null : value;
  }

  private ErrorAnswer tooLarge(String size) {
    return ErrorAnswer.of(
        ErrorCode.PAYLOAD_TOO_LARGE,
        "the body is over the limit of " + maxBodyBytes + " bytes (MAX_BODY_BYTES); got " + size);
  }

  private void reply(
      HttpServletResponse response,
      String executionId,
      String traceId,
      ErrorAnswer answer,
      long durationNanos,
      boolean closeConnection) {
    try {
      writeAnswer(
          response, executionId, traceId, answer.status(), JSON, errors.body(answer), answer.error().origin(), closeConnection);
    } catch (IOException e) {
      log.debug("the caller closed the connection: {}", e.getMessage());
    }
    metrics.recordInvocation(answer.status(), durationNanos);
  }

  private void writeAnswer(
      HttpServletResponse response,
      String executionId,
      String traceId,
      int status,
      String contentType,
      byte[] body,
      String errorOrigin,
      boolean closeConnection)
      throws IOException {
    response.setStatus(status);
    response.setHeader(WireHeaders.EXECUTION_ID, executionId);
    response.setHeader(WireHeaders.TRACE_ID, traceId);
    if (state.takeColdStart()) {
      response.setHeader(WireHeaders.COLD_START, "true");
      response.setHeader(WireHeaders.INIT_DURATION_MS, Long.toString(state.initDurationMs()));
    } else {
      response.setHeader(WireHeaders.COLD_START, "false");
    }
    if (errorOrigin != null) response.setHeader(WireHeaders.ERROR_ORIGIN, errorOrigin);
    if (closeConnection || state.draining()) response.setHeader("Connection", "close");
    response.setContentType(contentType);
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
    // On the wire before the servlet returns: Tomcat's graceful shutdown stops waiting once no
    // request is inside a servlet, then closes every connection, so a still-buffered answer would
    // be lost to a SIGTERM that arrived while the function ran.
    response.flushBuffer();
    if (log.isDebugEnabled()) log.debug("invocation answered (status={})", status);
  }
}
