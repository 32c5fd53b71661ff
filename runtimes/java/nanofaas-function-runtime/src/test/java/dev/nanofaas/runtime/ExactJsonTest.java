package dev.nanofaas.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nanofaas.runtime.json.ExactJsonReader;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExactJsonTest {
  private final ExactJsonReader reader = new ExactJsonReader(1 << 20);
  private final ObjectMapper mapper = new ObjectMapper();

  private JsonNode read(String text) throws IOException {
    return reader.read(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void writesNumbersBackAsTheyWereSpelled() throws IOException {
    for (String text : new String[] {"7.0", "1e400", "-0.0", "1.5E3", "0.10", "123456789012345678901234567890", "-9223372036854775809", "[1.0,{\"a\":2.50}]"}) {
      assertThat(mapper.writeValueAsString(read(text))).isEqualTo(text);
    }
  }

  @Test
  void keepsNumbersInsideValuesThatTheHandlerBuilds() throws IOException {
    JsonNode input = read("{\"price\":7.0,\"id\":12345678901234567890}");
    assertThat(mapper.writeValueAsString(Map.of("echo", input))).isEqualTo("{\"echo\":{\"price\":7.0,\"id\":12345678901234567890}}");
    assertThat(input.get("price").doubleValue()).isEqualTo(7.0);
    assertThat(input.get("price").isNumber()).isTrue();
    assertThat(input.get("id").bigIntegerValue()).isEqualTo(new BigInteger("12345678901234567890"));
  }

  @Test
  void refusesWhatIsNotExactlyOneJsonValue() {
    assertThatThrownBy(() -> read("{\"a\":1} {\"b\":2}")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> read("")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> read("[".repeat(5000))).isInstanceOf(IOException.class);
  }

  @Test
  void keepsTheLastOfDuplicateKeysAsJsonParseDoes() throws IOException {
    assertThat(read("{\"a\":1,\"a\":2}").get("a").asInt()).isEqualTo(2);
  }
}
