package dev.nanofaas.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The runtime as a process: one-shot runs against a real callback server, exit statuses, SIGTERM drain. */
class ProcessLifecycleTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private HttpServer callbacks;
  private final List<String[]> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private volatile int failureStatus = 503;

  /** A completion receiver that answers failureStatus to the first failuresLeft calls, then 204. */
  @BeforeEach
  void startCallbackServer() throws IOException {
    callbacks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    callbacks.createContext(
        "/",
        exchange -> {
          String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          received.add(
              new String[] {
                exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath(),
                String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")),
                body,
                String.valueOf(exchange.getRequestHeaders().getFirst("X-Trace-Id"))
              });
          int status = failuresLeft.getAndDecrement() > 0 ? failureStatus : 204;
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    callbacks.start();
  }

  @AfterEach
  void stopCallbackServer() {
    callbacks.stop(0);
  }

  private Map<String, String> oneShotEnv(String payload) {
    return Map.of(
        "EXECUTION_ID", "exec-1",
        "CALLBACK_URL", "http://127.0.0.1:" + callbacks.getAddress().getPort() + "/v1/internal/executions/",
        "CALLBACK_TOKEN", "secret-token",
        "TRACE_ID", "trace-1",
        "INVOCATION_PAYLOAD", payload);
  }

  @Test
  void oneShotRetriesTheCallbackUntilDeliveredThenExits0() throws Exception {
    failuresLeft.set(2);
    try (RuntimeProcess runtime = RuntimeProcess.start(oneShotEnv("{\"input\":{\"price\":7.0,\"id\":12345678901234567890}}"))) {
      assertThat(runtime.waitFor(Duration.ofSeconds(240))).as(runtime.log()).isEqualTo(0);
    }
    assertThat(received).hasSize(3);
    for (String[] call : received) {
      assertThat(call[0]).isEqualTo("POST /v1/internal/executions/exec-1:complete");
      assertThat(call[1]).isEqualTo("Bearer secret-token");
      assertThat(call[3]).isEqualTo("trace-1");
    }
    // The output's bytes as the function returned them; the shape of the completion-callback fixture.
    assertThat(received.get(2)[2]).isEqualTo("{\"success\":true,\"output\":{\"price\":7.0,\"id\":12345678901234567890}}");
    JsonNode fixture = Repository.fixture("completion-callback.json").get("valid").get(0);
    assertThat(JSON.readTree(received.get(2)[2]).fieldNames()).toIterable().containsExactlyElementsOf(() -> fixture.fieldNames());
  }

  @Test
  void oneShotReportsAFunctionErrorThenExits1() throws Exception {
    try (RuntimeProcess runtime = RuntimeProcess.start(oneShotEnv("{\"input\":{\"action\":\"fail\",\"code\":\"CARD_DECLINED\",\"retryable\":true}}"))) {
      assertThat(runtime.waitFor(Duration.ofSeconds(240))).as(runtime.log()).isEqualTo(1);
    }
    assertThat(received).hasSize(1);
    assertThat(received.get(0)[2])
        .isEqualTo("{\"success\":false,\"error\":{\"code\":\"CARD_DECLINED\",\"message\":\"bad input\",\"origin\":\"function\",\"retryable\":true}}");
  }

  @Test
  void oneShotStopsAtAFinal4xxAndExits3() throws Exception {
    failuresLeft.set(100);
    failureStatus = 401;
    try (RuntimeProcess runtime = RuntimeProcess.start(oneShotEnv("{\"input\":1}"))) {
      assertThat(runtime.waitFor(Duration.ofSeconds(240))).as(runtime.log()).isEqualTo(3);
      assertThat(runtime.log()).contains("the completion callback could not be delivered").contains("\"executionId\":\"exec-1\"");
    }
    assertThat(received).hasSize(1);
  }

  @Test
  void anUnusableSettingExits2NamingTheVariable() throws Exception {
    try (RuntimeProcess runtime = RuntimeProcess.start(Map.of("TIMEOUT_MS", "soon"))) {
      assertThat(runtime.waitFor(Duration.ofSeconds(240))).isEqualTo(2);
      assertThat(runtime.log()).contains("TIMEOUT_MS: must be a whole number");
    }
  }

  @Test
  void sigtermLetsTheRunningInvocationFinishThenStops() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    try (RuntimeProcess runtime = RuntimeProcess.start(Map.of("PORT", String.valueOf(port), "HOST", "127.0.0.1"))) {
      runtime.awaitHealthy(port, Duration.ofSeconds(240));
      String url = "http://127.0.0.1:" + port + "/invoke";
      CompletableFuture<Http.Answer> slow = CompletableFuture.supplyAsync(() -> Http.post(url, "{\"input\":{\"action\":\"sleep\",\"ms\":1500}}"));
      // SIGTERM only once the invocation runs (the runtime's own in-flight gauge says so).
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!Http.get("http://127.0.0.1:" + port + "/metrics").text().contains("nanofaas_runtime_in_flight 1")) {
        assertThat(System.nanoTime()).as("the invocation never started").isLessThan(deadline);
        Thread.sleep(20);
      }
      runtime.process().destroy(); // SIGTERM
      Http.Answer answer;
      try {
        answer = slow.get();
      } catch (ExecutionException e) {
        runtime.waitFor(Duration.ofSeconds(30));
        throw new AssertionError("the invocation in flight got no answer; the runtime's log:\n" + runtime.log(), e.getCause());
      }
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.text()).isEqualTo("{\"slept\":1500}");
      runtime.waitFor(Duration.ofSeconds(30));
      assertThat(runtime.process().isAlive()).isFalse();
    }
  }
}
