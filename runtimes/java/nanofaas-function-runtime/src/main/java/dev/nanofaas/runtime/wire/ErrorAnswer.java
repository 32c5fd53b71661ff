package dev.nanofaas.runtime.wire;

import java.util.List;

/** An error answer: its HTTP status and the error object of the body {@code {"error": {...}}}. */
public record ErrorAnswer(int status, ErrorInfo error) {

  public static ErrorAnswer of(ErrorCode code, String message) {
    return new ErrorAnswer(code.status(), new ErrorInfo(code.name(), message, code.origin(), code.retryable(), null, null));
  }

  public static ErrorAnswer validation(String message, List<ValidationIssue> issues) {
    ErrorCode code = ErrorCode.VALIDATION_FAILED;
    return new ErrorAnswer(code.status(), new ErrorInfo(code.name(), message, code.origin(), code.retryable(), issues, null));
  }

  /** A function's own code: status 500, origin "function". */
  public static ErrorAnswer function(String code, String message, boolean retryable, Object details) {
    return new ErrorAnswer(500, new ErrorInfo(code, message, "function", retryable, null, details));
  }

  public ErrorAnswer withMessage(String message) {
    return new ErrorAnswer(status, new ErrorInfo(error.code(), message, error.origin(), error.retryable(), error.issues(), error.details()));
  }
}
