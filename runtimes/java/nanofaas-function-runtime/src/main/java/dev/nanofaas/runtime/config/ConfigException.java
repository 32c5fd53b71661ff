package dev.nanofaas.runtime.config;

import org.springframework.boot.ExitCodeGenerator;

/** A setting that cannot be used; the message names the variable. The process exits with status 2. */
public class ConfigException extends RuntimeException implements ExitCodeGenerator {
  private static final long serialVersionUID = 1L;
  public static final int EXIT_CODE = 2;

  private final String variable;

  public ConfigException(String variable, String message) {
    super(variable + ": " + message);
    this.variable = variable;
  }

  public String variable() {
    return variable;
  }

  @Override
  public int getExitCode() {
    return EXIT_CODE;
  }
}
