package dev.nanofaas.runtime.web;

import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The trace id of an invocation (the Node runtime's trace-id.ts). */
public final class TraceIds {
  // W3C Trace Context: version-traceid-parentid-flags; an all-zero trace id is invalid.
  // https://www.w3.org/TR/trace-context/#traceparent-header
  private static final Pattern TRACEPARENT = Pattern.compile("^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}");
  private static final String ZERO_TRACE_ID = "0".repeat(32);

  private TraceIds() {}

  /** X-Trace-Id, else the trace-id of a valid traceparent, else a new one. */
  public static String resolve(String traceIdHeader, String traceparent) {
    if (traceIdHeader != null && !traceIdHeader.isEmpty()) return traceIdHeader;
    if (traceparent != null) {
      Matcher matcher = TRACEPARENT.matcher(traceparent.trim());
      if (matcher.find() && !matcher.group(1).equals(ZERO_TRACE_ID)) return matcher.group(1);
    }
    return generate();
  }

  /** 32 lowercase hex digits, usable as a W3C trace-id. */
  public static String generate() {
    return UUID.randomUUID().toString().replace("-", "");
  }
}
