package dev.nanofaas.examples.jsontransform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The TypeScript example's cases (examples/json-transform/test), against the Java function served over HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class JsonTransformFunctionTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final String ORDER =
      "{\"id\":7,\"customer\":{\"name\":\"ada lovelace\",\"email\":\"ada@example.org\",\"address\":{\"city\":\"london\",\"zip\":\"N1\"}},"
          + "\"items\":[{\"sku\":\"a-1\",\"qty\":2}],\"note\":null}";

  @LocalServerPort int port;

  private record Answer(int status, JsonNode json, String text) {
    JsonNode error() {
      return json.get("error");
    }
  }

  private Answer invoke(String input) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/invoke"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"input\":" + input + "}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), JSON.readTree(response.body()), response.body());
  }

  private Answer transform(String document, String operations) throws Exception {
    return invoke("{\"document\":" + document + ",\"operations\":" + operations + "}");
  }

  @Test
  void appliesRenameUppercaseAndPickInOrder() throws Exception {
    Answer answer =
        transform(
            ORDER,
            "[{\"op\":\"rename\",\"from\":\"customer.name\",\"to\":\"name\"},"
                + "{\"op\":\"uppercase\",\"fields\":[\"name\",\"customer.address.city\"]},"
                + "{\"op\":\"pick\",\"fields\":[\"id\",\"name\",\"customer.address.city\",\"items\",\"missing.field\"]}]");
    assertThat(answer.status()).as(answer.text()).isEqualTo(200);
    assertThat(answer.text())
        .isEqualTo("{\"id\":7,\"name\":\"ADA LOVELACE\",\"customer\":{\"address\":{\"city\":\"LONDON\"}},\"items\":[{\"sku\":\"a-1\",\"qty\":2}]}");
  }

  @Test
  void returnsTheDocumentUnchangedForNoOperationsNumbersIncluded() throws Exception {
    assertThat(transform(ORDER, "[]").text()).isEqualTo(ORDER);
    String exact = "{\"price\":7.0,\"id\":123456789012345678901,\"ratio\":1e-7}";
    assertThat(transform(exact, "[]").text()).isEqualTo(exact);
    assertThat(transform(exact, "[{\"op\":\"rename\",\"from\":\"price\",\"to\":\"cost\"}]").text())
        .isEqualTo("{\"id\":123456789012345678901,\"ratio\":1e-7,\"cost\":7.0}");
  }

  @Test
  void createsIntermediateObjectsWhenRenamingIntoANewPath() throws Exception {
    assertThat(transform("{\"city\":\"Rome\"}", "[{\"op\":\"rename\",\"from\":\"city\",\"to\":\"address.city\"}]").text())
        .isEqualTo("{\"address\":{\"city\":\"Rome\"}}");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"text\" | input must be an object",
        "{\"operations\":[]} | field \"document\": must be a JSON object",
        "{\"document\":[1],\"operations\":[]} | field \"document\"",
        "{\"document\":{},\"operations\":[],\"extra\":1} | field \"extra\": is not a known field",
      })
  void refusesBadInputWithInvalidInput(String input, String message) throws Exception {
    Answer answer = invoke(input);
    assertThat(answer.status()).isEqualTo(500);
    assertThat(answer.error().get("code").asText()).isEqualTo("INVALID_INPUT");
    assertThat(answer.error().get("message").asText()).contains(message);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "null | ^operations: must be an array",
        "{\"op\":\"pick\"} | ^operations: must be an array",
        "[\"pick\"] | ^operations\\.0: must be an object",
        "[{\"op\":\"delete\",\"fields\":[\"a\"]}] | ^operations\\.0\\.op: must be one of pick, rename, uppercase, got \"delete\"",
        "[{\"fields\":[\"a\"]}] | ^operations\\.0\\.op: .*got nothing",
        "[{\"op\":\"pick\",\"fields\":[]}] | ^operations\\.0\\.fields: must be a non-empty array",
        "[{\"op\":\"pick\",\"fields\":\"a\"}] | ^operations\\.0\\.fields: must be a non-empty array",
        "[{\"op\":\"pick\",\"fields\":[\"a\",3]}] | ^operations\\.0\\.fields\\.1: must be a non-empty dotted path",
        "[{\"op\":\"pick\",\"fields\":[\"a..b\"]}] | ^operations\\.0\\.fields\\.0: \"a\\.\\.b\" has an empty segment",
        "[{\"op\":\"uppercase\",\"fields\":[\"__proto__.x\"]}] | reserved name \"__proto__\"",
        "[{\"op\":\"rename\",\"from\":\"a\"}] | ^operations\\.0\\.to: must be a non-empty dotted path",
        "[{\"op\":\"rename\",\"from\":\"a\",\"to\":\"b\",\"fields\":[]}] | ^operations\\.0\\.fields: is not a field of this operation",
      })
  void refusesBadOperationsWithInvalidOperation(String operations, String message) throws Exception {
    Answer answer = transform(ORDER, operations.equals("null") ? "null" : operations);
    assertThat(answer.status()).isEqualTo(500);
    assertThat(answer.error().get("code").asText()).isEqualTo("INVALID_OPERATION");
    assertThat(answer.error().get("origin").asText()).isEqualTo("function");
    assertThat(answer.error().get("message").asText()).containsPattern(message);
  }

  @Test
  void refusesMoreThan100Operations() throws Exception {
    String many = IntStream.range(0, 101).mapToObj(i -> "{\"op\":\"pick\",\"fields\":[\"a\"]}").collect(Collectors.joining(",", "[", "]"));
    assertThat(transform(ORDER, many).error().get("message").asText()).contains("at most 100 operations");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "[{\"op\":\"rename\",\"from\":\"customer.phone\",\"to\":\"phone\"}] | FIELD_NOT_FOUND | operations\\.0: the document has no field \"customer\\.phone\"",
        "[{\"op\":\"rename\",\"from\":\"id\",\"to\":\"customer\"}] | FIELD_EXISTS | target \"customer\" already exists",
        "[{\"op\":\"rename\",\"from\":\"id\",\"to\":\"customer.email.id\"}] | NOT_AN_OBJECT | \"customer\\.email\" is not an object",
        "[{\"op\":\"uppercase\",\"fields\":[\"nope\"]}] | FIELD_NOT_FOUND | no field \"nope\"",
        "[{\"op\":\"uppercase\",\"fields\":[\"id\"]}] | NOT_A_STRING | \"id\" is number, not a string",
        "[{\"op\":\"uppercase\",\"fields\":[\"note\"]}] | NOT_A_STRING | \"note\" is null",
        "[{\"op\":\"uppercase\",\"fields\":[\"items\"]}] | NOT_A_STRING | \"items\" is an array",
      })
  void reportsWhenTheDocumentDoesNotFit(String operations, String code, String message) throws Exception {
    Answer answer = transform(ORDER, operations);
    assertThat(answer.status()).isEqualTo(500);
    assertThat(answer.error().get("code").asText()).isEqualTo(code);
    assertThat(answer.error().get("message").asText()).containsPattern(message);
    assertThat(answer.error().get("retryable").asBoolean()).isFalse();
  }
}
