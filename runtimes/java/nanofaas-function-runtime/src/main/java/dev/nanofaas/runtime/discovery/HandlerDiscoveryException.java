package dev.nanofaas.runtime.discovery;

import org.springframework.boot.ExitCodeGenerator;

/** The jar does not have exactly one usable handler. The process exits with status 2, as for a bad setting. */
public class HandlerDiscoveryException extends RuntimeException implements ExitCodeGenerator {
  private static final long serialVersionUID = 1L;
  private final String action;

  public HandlerDiscoveryException(String message, String action) {
    super(message);
    this.action = action;
  }

  /** What to do about it, for the start-up failure report. */
  public String action() {
    return action;
  }

  @Override
  public int getExitCode() {
    return 2;
  }
}
