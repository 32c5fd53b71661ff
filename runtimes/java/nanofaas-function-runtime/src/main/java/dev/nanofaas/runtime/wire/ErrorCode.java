package dev.nanofaas.runtime.wire;

/**
 * The platform's error codes that this runtime answers with, with the status, origin and retryability
 * of the catalogue (packages/contracts/src/error-catalogue.ts, docs/errors.md; a test checks that
 * they agree).
 */
public enum ErrorCode {
  VALIDATION_FAILED(400, "client", false),
  MALFORMED_JSON(400, "client", false),
  ROUTE_NOT_FOUND(404, "client", false),
  METHOD_NOT_ALLOWED(405, "client", false),
  PAYLOAD_TOO_LARGE(413, "client", false),
  UNSUPPORTED_MEDIA_TYPE(415, "client", false),
  CONCURRENCY_LIMIT(429, "platform", true),
  TIMEOUT(408, "function", true),
  UNHANDLED_ERROR(500, "function", false),
  INVALID_OUTPUT(500, "function", false),
  INTERNAL_ERROR(500, "platform", false),
  NOT_READY(503, "platform", true);

  private final int status;
  private final String origin;
  private final boolean retryable;

  ErrorCode(int status, String origin, boolean retryable) {
    this.status = status;
    this.origin = origin;
    this.retryable = retryable;
  }

  public int status() {
    return status;
  }

  public String origin() {
    return origin;
  }

  public boolean retryable() {
    return retryable;
  }
}
