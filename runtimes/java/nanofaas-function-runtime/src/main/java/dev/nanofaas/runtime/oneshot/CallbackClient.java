package dev.nanofaas.runtime.oneshot;

import dev.nanofaas.runtime.wire.WireHeaders;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spec's CallbackClient: POST {@code {CALLBACK_URL}/{EXECUTION_ID}:complete} with the
 * CompletionCallback body and {@code Authorization: Bearer CALLBACK_TOKEN}, with the watchdog's retry
 * policy (watchdog/README.md, "One-shot exit status"): 7 attempts, backoff 250 ms doubling to 4 s with
 * ±20 % jitter (Retry-After honoured up to 4 s), 5 s per attempt. Network errors, 408, 429 and 5xx
 * are retried; other 4xx are final; 409 counts as delivered (the control plane already holds a
 * result for this execution and ignores duplicates, DESIGN.md §4).
 */
public final class CallbackClient {
  private static final Logger log = LoggerFactory.getLogger(CallbackClient.class);

  /** How the client retries; the defaults are the watchdog's. */
  public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, Duration attemptTimeout) {
    public static final RetryPolicy DEFAULT =
        new RetryPolicy(7, Duration.ofMillis(250), Duration.ofSeconds(4), Duration.ofSeconds(5));
  }

  /** Waits between attempts; injected so that tests need not sleep. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  public sealed interface Delivery {
    int attempts();
  }

  public record Delivered(int attempts, int status) implements Delivery {}

  public record Undelivered(int attempts, String reason) implements Delivery {}

  private final HttpClient http;
  private final RetryPolicy policy;
  private final Sleeper sleeper;
  private final DoubleSupplier random;

  public CallbackClient(RetryPolicy policy, Sleeper sleeper, DoubleSupplier random) {
    this.http = HttpClient.newBuilder().connectTimeout(policy.attemptTimeout()).version(HttpClient.Version.HTTP_1_1).build();
    this.policy = policy;
    this.sleeper = sleeper;
    this.random = random;
  }

  public static CallbackClient withDefaults() {
    return new CallbackClient(RetryPolicy.DEFAULT, duration -> Thread.sleep(duration.toMillis()), Math::random);
  }

  public Delivery deliver(String callbackUrl, String executionId, String traceId, String token, byte[] body) {
    URI uri = URI.create(callbackUrl + "/" + URLEncoder.encode(executionId, StandardCharsets.UTF_8).replace("+", "%20") + ":complete");
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(uri)
            .timeout(policy.attemptTimeout())
            .header("Content-Type", "application/json")
            .header(WireHeaders.EXECUTION_ID, executionId)
            .header(WireHeaders.TRACE_ID, traceId)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) builder.header(WireHeaders.AUTHORIZATION, "Bearer " + token);
    HttpRequest request = builder.build();

    String reason = "no attempt was made";
    for (int attempt = 1; attempt <= policy.maxAttempts(); attempt++) {
      long retryAfterMs = 0;
      try {
        HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
        int status = response.statusCode();
        if (status >= 200 && status < 300 || status == 409) return new Delivered(attempt, status);
        reason = "the callback was answered with status " + status;
        if (!(status == 408 || status == 429 || status >= 500)) return new Undelivered(attempt, reason);
        retryAfterMs = retryAfterMillis(response.headers().firstValue(WireHeaders.RETRY_AFTER));
      } catch (IOException e) {
        reason = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Undelivered(attempt, "interrupted");
      }
      if (attempt == policy.maxAttempts()) break;
      long maxMs = policy.maxDelay().toMillis();
      double backoff = Math.min(maxMs, policy.baseDelay().toMillis() * Math.pow(2, attempt - 1)) * (0.8 + 0.4 * random.getAsDouble());
      long delayMs = Math.round(Math.min(maxMs, Math.max(backoff, retryAfterMs)));
      log.warn("completion callback failed; retrying (attempt={}, reason={}, delayMs={}, url={})", attempt, reason, delayMs, uri);
      try {
        sleeper.sleep(Duration.ofMillis(delayMs));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Undelivered(attempt, "interrupted");
      }
    }
    return new Undelivered(policy.maxAttempts(), reason);
  }

  private static long retryAfterMillis(Optional<String> header) {
    return header.map(String::trim).filter(value -> value.matches("\\d{1,6}")).map(value -> Long.parseLong(value) * 1000).orElse(0L);
  }
}
