package dev.nanofaas.runtime.wire;

/** Header names of the wire contract (packages/contracts/src/headers.ts). */
public final class WireHeaders {
  public static final String EXECUTION_ID = "X-Execution-Id";
  public static final String TRACE_ID = "X-Trace-Id";
  public static final String TRACEPARENT = "traceparent";
  public static final String TIMEOUT_MS = "X-Timeout-Ms";
  public static final String DISPATCH_ATTEMPT = "X-Dispatch-Attempt";
  public static final String COLD_START = "X-Cold-Start";
  public static final String INIT_DURATION_MS = "X-Init-Duration-Ms";
  public static final String ERROR_ORIGIN = "X-Error-Origin";
  public static final String RETRY_AFTER = "Retry-After";
  public static final String AUTHORIZATION = "Authorization";

  private WireHeaders() {}
}
