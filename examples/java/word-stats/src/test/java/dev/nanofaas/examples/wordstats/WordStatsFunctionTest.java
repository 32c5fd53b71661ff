package dev.nanofaas.examples.wordstats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The TypeScript example's cases (examples/word-stats/test), against the Java function served over HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WordStatsFunctionTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @LocalServerPort int port;

  private record Answer(int status, JsonNode json, String text) {}

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

  @Test
  void countsWordsUniqueWordsAndTheMostFrequentOnes() throws Exception {
    Answer answer = invoke("{\"text\":\"The cat and the hat. THE END, the end!\",\"topN\":3}");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.text())
        .isEqualTo("{\"words\":9,\"uniqueWords\":5,\"top\":[{\"word\":\"the\",\"count\":4},{\"word\":\"end\",\"count\":2},{\"word\":\"and\",\"count\":1}]}");
  }

  @Test
  void acceptsTheTextItselfAsAStringWithTheDefaultTopNOf10() throws Exception {
    String text = IntStream.range(0, 12).mapToObj(i -> "w" + i).collect(Collectors.joining(" "));
    JsonNode stats = invoke("\"" + text + "\"").json();
    assertThat(stats.get("words").asInt()).isEqualTo(12);
    assertThat(stats.get("uniqueWords").asInt()).isEqualTo(12);
    assertThat(stats.get("top").size()).isEqualTo(10);
  }

  @Test
  void handlesAccentsOtherScriptsDigitsAndApostrophesWithAlphabeticalTies() throws Exception {
    Answer answer = invoke("{\"text\":\"Perché l'uomo? perché 2024 — don't Don’t 東京\",\"topN\":10}");
    assertThat(answer.text())
        .isEqualTo(
            "{\"words\":7,\"uniqueWords\":5,\"top\":[{\"word\":\"don't\",\"count\":2},{\"word\":\"perché\",\"count\":2},"
                + "{\"word\":\"2024\",\"count\":1},{\"word\":\"l'uomo\",\"count\":1},{\"word\":\"東京\",\"count\":1}]}");
  }

  @Test
  void returnsZerosForATextWithoutWords() throws Exception {
    assertThat(invoke("{\"text\":\" ... !!! \"}").text()).isEqualTo("{\"words\":0,\"uniqueWords\":0,\"top\":[]}");
  }

  @Test
  void acceptsAWholeTopNWrittenWithAFraction() throws Exception {
    assertThat(invoke("{\"text\":\"a b\",\"topN\":1.0}").json().get("top").size()).isEqualTo(1);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "42 | field \"input\": must be a string or an object",
        "null | field \"input\"",
        "[\"a\"] | an array",
        "{} | field \"text\": must be a string, got nothing",
        "{\"text\":7} | field \"text\": must be a string, got number 7",
        "{\"text\":\"a\",\"topN\":0} | field \"topN\": must be a whole number from 1 to 1000",
        "{\"text\":\"a\",\"topN\":2.5} | field \"topN\"",
        "{\"text\":\"a\",\"topN\":\"3\"} | a string",
        "{\"text\":\"a\",\"limit\":3} | field \"limit\": is not a known field",
      })
  void refusesBadInputWithInvalidInputNamingTheField(String input, String message) throws Exception {
    Answer answer = invoke(input);
    assertThat(answer.status()).isEqualTo(500);
    JsonNode error = answer.json().get("error");
    assertThat(error.get("code").asText()).isEqualTo("INVALID_INPUT");
    assertThat(error.get("origin").asText()).isEqualTo("function");
    assertThat(error.get("retryable").asBoolean()).isFalse();
    assertThat(error.get("message").asText()).contains(message);
    assertThat(error.get("details").get("field").asText()).isNotEmpty();
  }
}
