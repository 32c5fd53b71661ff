package dev.nanofaas.runtime.web;

import dev.nanofaas.runtime.wire.WireHeaders;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.MDC;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Puts the invocation's executionId and traceId in the MDC for every log line written while the
 * request runs (the handler's thread gets a copy), and hands them to the controller. executionId:
 * X-Execution-Id, else a new UUID; traceId: X-Trace-Id, else the trace id of traceparent, else new.
 */
public final class TraceLoggingFilter extends OncePerRequestFilter {
  public static final String EXECUTION_ID = "executionId";
  public static final String TRACE_ID = "traceId";

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String executionId = request.getHeader(WireHeaders.EXECUTION_ID);
    if (executionId == null || executionId.isEmpty()) executionId = TraceIds.newExecutionId();
    String traceId = TraceIds.resolve(request.getHeader(WireHeaders.TRACE_ID), request.getHeader(WireHeaders.TRACEPARENT));
    request.setAttribute(EXECUTION_ID, executionId);
    request.setAttribute(TRACE_ID, traceId);
    MDC.put(EXECUTION_ID, executionId);
    MDC.put(TRACE_ID, traceId);
    try {
      chain.doFilter(request, response);
    } finally {
      MDC.remove(EXECUTION_ID);
      MDC.remove(TRACE_ID);
    }
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !"/invoke".equals(request.getRequestURI());
  }
}
