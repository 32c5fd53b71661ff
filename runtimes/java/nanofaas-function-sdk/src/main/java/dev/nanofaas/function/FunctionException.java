package dev.nanofaas.function;

import java.util.Objects;

/**
 * An error the function reports on purpose, with a stable code of its own (for example
 * {@code CARD_DECLINED}). The caller gets status 500, origin "function", this code, message and
 * {@code details}; the platform retries the invocation only if it is retryable.
 */
public class FunctionException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private static final int MAX_CODE_LENGTH = 128;

  private final String code;
  private final boolean retryable;
  private final transient Object details;

  public FunctionException(String code, String message) {
    this(code, message, false, null, null);
  }

  public FunctionException(String code, String message, boolean retryable) {
    this(code, message, retryable, null, null);
  }

  /**
   * @param details any value Jackson can serialise, sent as {@code error.details}
   * @param cause kept for the log only
   */
  public FunctionException(String code, String message, boolean retryable, Object details, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    if (code == null || code.isEmpty() || code.length() > MAX_CODE_LENGTH) {
      throw new IllegalArgumentException(
          "FunctionException code must be a string of 1 to " + MAX_CODE_LENGTH + " characters");
    }
    this.code = code;
    this.retryable = retryable;
    this.details = details;
  }

  public String code() {
    return code;
  }

  public boolean retryable() {
    return retryable;
  }

  /** The details sent with the error, or null. */
  public Object details() {
    return details;
  }
}
