package dev.nanofaas.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nanofaas.runtime.logging.JsonLineEncoder;
import dev.nanofaas.testapps.behaviours.BehavioursApplication;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The HTTP runtime in process, over real HTTP on loopback: the wire of packages/runtime's server tests. */
@SpringBootTest(
    classes = BehavioursApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"MAX_BODY_BYTES=65536", "TIMEOUT_MS=30000", "FUNCTION_NAME=tests"})
class InvokeRouteTest {
  private LogCapture logs;

  @LocalServerPort int port;

  // After the context started: Spring Boot's logging set-up resets logback's appenders.
  @BeforeEach
  void captureLogs() {
    logs = LogCapture.attach();
  }

  @AfterEach
  void stopCapturing() {
    logs.detach();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  private Http.Answer invoke(String body, Map<String, String> headers) {
    return Http.post(url("/invoke"), body, headers);
  }

  private Http.Answer invoke(String body) {
    return invoke(body, Map.of());
  }

  private static JsonNode error(Http.Answer answer) {
    return answer.json().get("error");
  }

  @Test
  void answersHealthWith200() {
    Http.Answer health = Http.get(url("/health"));
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.text()).isEqualTo("{\"status\":\"ok\"}");
    assertThat(health.header("content-type")).isEqualTo("application/json");
  }

  @Test
  void passesEveryValidContractFixtureThroughUnchanged() {
    for (JsonNode request : Repository.fixture("invocation-request.json").get("valid")) {
      Http.Answer answer = invoke(request.toString());
      assertThat(answer.status()).as(answer.text()).isEqualTo(200);
      assertThat(answer.header("content-type")).isEqualTo("application/json");
      assertThat(answer.json()).isEqualTo(request.get("input"));
    }
  }

  @Test
  void rejectsEveryInvalidContractFixtureNamingTheFieldAndRule() {
    for (JsonNode fixture : Repository.fixture("invocation-request.json").get("invalid")) {
      Http.Answer answer = invoke(fixture.get("value").toString());
      assertThat(answer.status()).as(fixture.toString()).isEqualTo(400);
      JsonNode error = error(answer);
      assertThat(error.get("code").asText()).isEqualTo("VALIDATION_FAILED");
      assertThat(error.get("origin").asText()).isEqualTo("client");
      assertThat(answer.header("x-error-origin")).isEqualTo("client");
      boolean named = false;
      for (JsonNode issue : error.get("issues")) {
        named |= issue.get("field").asText().equals(fixture.get("field").asText())
            && issue.get("rule").asText().equals(fixture.get("rule").asText());
      }
      assertThat(named).as(fixture + " → " + answer.text()).isTrue();
    }
    assertThat(invoke("{\"input\":\"still here\"}").text()).isEqualTo("\"still here\"");
  }

  @Test
  void errorAnswersHaveTheShapeOfTheErrorBodyFixture() {
    JsonNode example = Repository.fixture("error-body.json").get("valid").get(0).get("error");
    JsonNode error = error(invoke("{\"input\":{\"action\":\"fail\",\"code\":\"CARD_DECLINED\"}}"));
    example.fieldNames().forEachRemaining(field -> assertThat(error.has(field)).as(field).isTrue());
  }

  @Test
  void keepsNumbersExactlyAsSent() {
    String input = "{\"float\":7.0,\"big\":123456789012345678901,\"exp\":1e400,\"neg\":-0.0,\"e\":1.5E3,\"list\":[0.10,2]}";
    Http.Answer answer = invoke("{\"input\":" + input + "}");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.text()).isEqualTo(input);
    Http.Answer part = invoke("{\"input\":[12345678901234567890,1.000]}");
    assertThat(part.text()).isEqualTo("[12345678901234567890,1.000]");
  }

  @Test
  void bindsTheInputToAType() {
    Http.Answer answer = invoke("{\"input\":{\"action\":\"typed\",\"value\":{\"name\":\"ada\",\"count\":3}}}");
    assertThat(answer.text()).isEqualTo("{\"name\":\"ada\",\"count\":3}");
    Http.Answer bad = invoke("{\"input\":{\"action\":\"typed\",\"value\":{\"name\":\"ada\",\"count\":\"many\"}}}");
    assertThat(bad.status()).isEqualTo(500);
    assertThat(error(bad).get("code").asText()).isEqualTo("INVALID_INPUT");
    assertThat(error(bad).get("message").asText()).startsWith("field \"value.count\":");
  }

  @Test
  void givesTheHandlerIdsMetadataAttemptAndDeadlineFromTheHeaders() {
    Http.Answer answer =
        invoke(
            "{\"input\":{\"action\":\"describe\"},\"metadata\":{\"tenant\":\"acme\"}}",
            Map.of("X-Execution-Id", "exec-42", "X-Trace-Id", "trace-7", "X-Dispatch-Attempt", "2", "X-Timeout-Ms", "5000"));
    assertThat(answer.status()).isEqualTo(200);
    JsonNode seen = answer.json();
    assertThat(seen.get("metadata").toString()).isEqualTo("{\"tenant\":\"acme\"}");
    assertThat(seen.get("executionId").asText()).isEqualTo("exec-42");
    assertThat(seen.get("traceId").asText()).isEqualTo("trace-7");
    assertThat(seen.get("attempt").asInt()).isEqualTo(2);
    assertThat(seen.get("contentType").asText()).isEqualTo("application/json");
    assertThat(seen.get("remainingMs").asLong()).isBetween(1L, 5000L);
    assertThat(seen.get("functionName").asText()).isEqualTo("tests");
    assertThat(answer.header("x-execution-id")).isEqualTo("exec-42");
    assertThat(answer.header("x-trace-id")).isEqualTo("trace-7");
  }

  @Test
  void takesTheTraceIdFromTraceparentElseGeneratesIds() {
    Http.Answer traced =
        invoke("{\"input\":{\"action\":\"describe\"}}", Map.of("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    assertThat(traced.json().get("traceId").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    JsonNode bare = invoke("{\"input\":{\"action\":\"describe\"}}").json();
    assertThat(bare.get("traceId").asText()).matches("[0-9a-f]{32}");
    assertThat(bare.get("executionId").asText()).isNotEmpty();
    assertThat(bare.get("metadata").size()).isZero();
    assertThat(bare.get("attempt").asInt()).isEqualTo(1);
  }

  @Test
  void refusesBadTimingHeadersNamingThem() {
    Http.Answer answer = invoke("{\"input\":1}", Map.of("X-Timeout-Ms", "soon", "X-Dispatch-Attempt", "0"));
    assertThat(answer.status()).isEqualTo(400);
    JsonNode error = error(answer);
    assertThat(error.get("code").asText()).isEqualTo("VALIDATION_FAILED");
    assertThat(error.get("issues").findValuesAsText("field")).containsExactly("X-Timeout-Ms", "X-Dispatch-Attempt");
  }

  @Test
  void answersBadJsonWith400MalformedJson() {
    for (String body : new String[] {"{\"input\":", "{\"input\":1} trailing", "", "nul"}) {
      Http.Answer answer = invoke(body);
      assertThat(answer.status()).as(body).isEqualTo(400);
      assertThat(error(answer).get("code").asText()).isEqualTo("MALFORMED_JSON");
      assertThat(error(answer).get("origin").asText()).isEqualTo("client");
    }
  }

  @Test
  void answersAnOversizedBodyWith413AndClosesTheConnection() {
    String big = "{\"input\":\"" + "x".repeat(70_000) + "\"}";
    Http.Answer answer = invoke(big);
    assertThat(answer.status()).isEqualTo(413);
    assertThat(error(answer).get("code").asText()).isEqualTo("PAYLOAD_TOO_LARGE");
    assertThat(error(answer).get("message").asText()).contains("65536");
    assertThat(invoke("{\"input\":\"after\"}").text()).isEqualTo("\"after\"");
  }

  @Test
  void refusesJsonInAnotherCharsetWith415() {
    Http.Answer answer = invoke("{\"input\":1}", Map.of("Content-Type", "application/json; charset=latin1"));
    assertThat(answer.status()).isEqualTo(415);
    assertThat(error(answer).get("code").asText()).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
  }

  @Test
  void handsANonJsonBodyToTheFunctionAsBytes() {
    Http.Answer answer = invoke("plain text è", Map.of("Content-Type", "text/plain; charset=utf-8"));
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().get("text").asText()).isEqualTo("plain text è");
    assertThat(answer.json().get("contentType").asText()).isEqualTo("text/plain; charset=utf-8");
  }

  @Test
  void sendsBytesAndNullAsTheyAre() {
    Http.Answer binary = invoke("{\"input\":{\"action\":\"binary\",\"text\":\"raw bytes\"}}");
    assertThat(binary.header("content-type")).isEqualTo("application/octet-stream");
    assertThat(binary.text()).isEqualTo("raw bytes");
    assertThat(invoke("{\"input\":{\"action\":\"null\"}}").text()).isEqualTo("null");
  }

  @Test
  void answersAFunctionExceptionWith500AndItsOwnCode() {
    Http.Answer answer =
        invoke("{\"input\":{\"action\":\"fail\",\"code\":\"CARD_DECLINED\",\"message\":\"no funds\",\"retryable\":true,\"details\":{\"limit\":7.0}}}");
    assertThat(answer.status()).isEqualTo(500);
    assertThat(answer.header("x-error-origin")).isEqualTo("function");
    assertThat(answer.text())
        .isEqualTo("{\"error\":{\"code\":\"CARD_DECLINED\",\"message\":\"no funds\",\"origin\":\"function\",\"retryable\":true,\"details\":{\"limit\":7.0}}}");
  }

  @Test
  void answersAnyOtherThrowableWithUnhandledErrorAndLogsTheStackOnly() {
    Http.Answer answer = invoke("{\"input\":{\"action\":\"throw\",\"message\":\"kaput\"}}", Map.of("X-Execution-Id", "exec-throw"));
    assertThat(answer.status()).isEqualTo(500);
    JsonNode error = error(answer);
    assertThat(error.get("code").asText()).isEqualTo("UNHANDLED_ERROR");
    assertThat(error.get("message").asText()).isEqualTo("kaput");
    assertThat(error.get("origin").asText()).isEqualTo("function");
    assertThat(answer.text()).doesNotContain("BehavioursHandler").doesNotContain("at ");
    ILoggingEvent logged =
        logs.events().stream()
            .filter(event -> "exec-throw".equals(event.getMDCPropertyMap().get("executionId")) && event.getThrowableProxy() != null)
            .findFirst()
            .orElseThrow();
    assertThat(logged.getThrowableProxy().getMessage()).isEqualTo("kaput");
  }

  @Test
  void answersInvalidOutputWhenTheResultCannotBeSerialised() {
    Http.Answer answer = invoke("{\"input\":{\"action\":\"unserialisable\"}}");
    assertThat(answer.status()).isEqualTo(500);
    assertThat(error(answer).get("code").asText()).isEqualTo("INVALID_OUTPUT");
  }

  @Test
  void answers408AtTheDeadlineEvenWhenTheHandlerIgnoresTheInterrupt() {
    for (String action : new String[] {"sleep", "spin"}) {
      long started = System.nanoTime();
      Http.Answer answer = invoke("{\"input\":{\"action\":\"" + action + "\",\"ms\":20000}}", Map.of("X-Timeout-Ms", "300"));
      assertThat(answer.status()).isEqualTo(408);
      JsonNode error = error(answer);
      assertThat(error.get("code").asText()).isEqualTo("TIMEOUT");
      assertThat(error.get("retryable").asBoolean()).isTrue();
      assertThat(error.get("message").asText()).contains("300 ms");
      // Answered at the deadline, not when the handler finished (20 s).
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    }
  }

  @Test
  void putsExecutionIdAndTraceIdInTheLogLinesOfTheInvocation() {
    invoke("{\"input\":{\"action\":\"log\"}}", Map.of("X-Execution-Id", "exec-log", "X-Trace-Id", "trace-log"));
    ILoggingEvent event =
        logs.events().stream().filter(e -> e.getFormattedMessage().equals("logged by the function")).reduce((a, b) -> b).orElseThrow();
    assertThat(event.getMDCPropertyMap()).containsEntry("executionId", "exec-log").containsEntry("traceId", "trace-log");
    JsonLineEncoder encoder = new JsonLineEncoder();
    encoder.setFunctionName("tests");
    String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
    assertThat(line).endsWith("}\n");
    JsonNode json = new Http.Answer(200, null, line).json();
    assertThat(json.get("msg").asText()).isEqualTo("logged by the function");
    assertThat(json.get("level").asText()).isEqualTo("info");
    assertThat(json.get("executionId").asText()).isEqualTo("exec-log");
    assertThat(json.get("traceId").asText()).isEqualTo("trace-log");
    assertThat(json.get("function").asText()).isEqualTo("tests");
  }

  @Test
  void answersUnknownRoutesAndMethodsInTheErrorShape() {
    Http.Answer missing = Http.get(url("/nope"));
    assertThat(missing.status()).isEqualTo(404);
    assertThat(error(missing).get("code").asText()).isEqualTo("ROUTE_NOT_FOUND");
    Http.Answer wrongMethod = Http.get(url("/invoke"));
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(error(wrongMethod).get("code").asText()).isEqualTo("METHOD_NOT_ALLOWED");
    Http.Answer delete = Http.send(HttpRequest.newBuilder(URI.create(url("/health"))).DELETE().build());
    assertThat(delete.status()).isEqualTo(405);
  }

  @Test
  void exportsTheNodeRuntimesMetricNames() {
    invoke("{\"input\":1}");
    String metrics = Http.get(url("/metrics")).text();
    assertThat(metrics)
        .contains("nanofaas_runtime_invocations_total{status=\"200\"}")
        .contains("nanofaas_runtime_invocation_duration_seconds_bucket{le=\"0.005\"}")
        .contains("nanofaas_runtime_in_flight")
        .contains("nanofaas_runtime_init_duration_seconds")
        .contains("process_start_time_seconds")
        .contains("process_resident_memory_bytes");
  }
}
