package dev.nanofaas.runtime.web;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The trace id of an invocation (the Node runtime's trace-id.ts). */
public final class TraceIds {
  // W3C Trace Context: version-traceid-parentid-flags; an all-zero trace id is invalid.
  // https://www.w3.org/TR/trace-context/#traceparent-header
  private static final Pattern TRACEPARENT = Pattern.compile("^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}");
  private static final String ZERO_TRACE_ID = "0".repeat(32);
  private static final char[] HEX = "0123456789abcdef".toCharArray();

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

  /**
   * 32 lowercase hex digits, usable as a W3C trace-id. Ids are correlation handles, not secrets, so
   * they come from ThreadLocalRandom: UUID.randomUUID's SecureRandom serialises every request on one
   * lock (measured in bench/java-runtime).
   */
  public static String generate() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] hex = new char[32];
    long high = random.nextLong();
    long low = random.nextLong();
    for (int i = 0; i < 16; i++) {
      hex[i] = HEX[(int) (high >>> (60 - 4 * i)) & 0xf];
      hex[16 + i] = HEX[(int) (low >>> (60 - 4 * i)) & 0xf];
    }
    return new String(hex);
  }

  /** A random (version 4) UUID for an execution that came without X-Execution-Id. */
  public static String newExecutionId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long most = (random.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
    long least = (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new UUID(most, least).toString();
  }
}
