package dev.nanofaas.runtime.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.function.Function;

/**
 * The runtime's settings, read from the environment in one place (docs/configuration.md, "Java
 * runtime"). An empty variable counts as unset; any other unusable value is a {@link ConfigException}
 * naming the variable, never a silent fallback.
 *
 * @param oneShot present when EXECUTION_ID, CALLBACK_URL and INVOCATION_PAYLOAD are all set
 */
public record RuntimeConfig(
    int port,
    String host,
    int maxBodyBytes,
    int timeoutMs,
    String functionName,
    String executionId,
    String traceId,
    OneShotConfig oneShot) {

  public static final int DEFAULT_PORT = 8080;
  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_MAX_BODY_BYTES = 6 * 1024 * 1024;
  public static final int DEFAULT_TIMEOUT_MS = 30_000;
  private static final int MAX_BODY_BYTES_LIMIT = 1024 * 1024 * 1024;
  private static final int MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000;

  /** A one-shot run (a REMOTE Job without the watchdog): the spec's Job env. */
  public record OneShotConfig(String callbackUrl, String payload, String callbackToken) {}

  public boolean isOneShot() {
    return oneShot != null;
  }

  /** Reads the settings from {@code env} (a variable name → its value, or null). */
  public static RuntimeConfig load(Function<String, String> env) {
    Function<String, String> read =
        name -> {
          String value = env.apply(name);
          return value == null || value.isEmpty() ? null : value;
        };
    String executionId = read.apply("EXECUTION_ID");
    return new RuntimeConfig(
        integer("PORT", read.apply("PORT"), DEFAULT_PORT, 0, 65_535),
        read.apply("HOST") == null ? DEFAULT_HOST : read.apply("HOST"),
        integer("MAX_BODY_BYTES", read.apply("MAX_BODY_BYTES"), DEFAULT_MAX_BODY_BYTES, 1, MAX_BODY_BYTES_LIMIT),
        integer("TIMEOUT_MS", read.apply("TIMEOUT_MS"), DEFAULT_TIMEOUT_MS, 1, MAX_TIMEOUT_MS),
        read.apply("FUNCTION_NAME"),
        executionId,
        read.apply("TRACE_ID"),
        oneShot(executionId, read.apply("CALLBACK_URL"), read.apply("INVOCATION_PAYLOAD"), read.apply("CALLBACK_TOKEN")));
  }

  private static int integer(String name, String raw, int fallback, int min, int max) {
    if (raw == null) return fallback;
    String text = raw.trim();
    if (!text.matches("\\d{1,10}")) {
      throw new ConfigException(name, "must be a whole number, got \"" + raw + "\"");
    }
    long value = Long.parseLong(text);
    if (value < min || value > max) {
      throw new ConfigException(name, "must be between " + min + " and " + max + ", got " + value);
    }
    return (int) value;
  }

  /**
   * EXECUTION_ID alone is normal (the watchdog sets it for every child), but CALLBACK_URL or
   * INVOCATION_PAYLOAD without the rest is a broken Job spec, so it is reported rather than ignored.
   */
  private static OneShotConfig oneShot(String executionId, String callbackUrl, String payload, String token) {
    if (callbackUrl == null && payload == null) return null;
    StringBuilder missing = new StringBuilder();
    if (executionId == null) missing.append("EXECUTION_ID");
    if (callbackUrl == null) missing.append(missing.isEmpty() ? "" : ", ").append("CALLBACK_URL");
    if (payload == null) missing.append(missing.isEmpty() ? "" : ", ").append("INVOCATION_PAYLOAD");
    if (!missing.isEmpty()) {
      throw new ConfigException(
          missing.toString(),
          "must be set for a one-shot run (EXECUTION_ID, CALLBACK_URL and INVOCATION_PAYLOAD go together)");
    }
    URI uri;
    try {
      uri = new URI(callbackUrl);
    } catch (URISyntaxException e) {
      throw new ConfigException("CALLBACK_URL", "must be an absolute http(s) URL, got \"" + callbackUrl + "\"");
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new ConfigException("CALLBACK_URL", "must be an absolute http(s) URL, got \"" + callbackUrl + "\"");
    }
    return new OneShotConfig(callbackUrl.replaceAll("/+$", ""), payload, token);
  }
}
