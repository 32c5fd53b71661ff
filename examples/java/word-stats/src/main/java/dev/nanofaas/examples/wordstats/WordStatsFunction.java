package dev.nanofaas.examples.wordstats;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nanofaas.function.FunctionException;
import dev.nanofaas.function.FunctionHandler;
import dev.nanofaas.function.InvocationRequest;
import dev.nanofaas.function.NanofaasFunction;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Map;

/**
 * word-stats: counts the words, the unique words and the topN most frequent words of a text — the
 * same function as the TypeScript example (examples/word-stats). Input: {@code {"text": "...",
 * "topN"?: 1..1000}}, or the text itself as a JSON string. Bad input is an INVALID_INPUT function
 * error naming the field.
 */
@NanofaasFunction(name = "word-stats")
public class WordStatsFunction implements FunctionHandler {
  public static final int DEFAULT_TOP_N = 10;
  public static final int MAX_TOP_N = 1000;

  @Override
  public Object handle(InvocationRequest request) {
    JsonNode input = request.input();
    if (input.isTextual()) return WordCounter.count(input.textValue(), DEFAULT_TOP_N);
    if (!input.isObject()) {
      throw invalid("input", "must be a string or an object {\"text\": string, \"topN\"?: number}, got " + describe(input));
    }
    for (Iterator<String> names = input.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!name.equals("text") && !name.equals("topN")) throw invalid(name, "is not a known field (expected \"text\" and \"topN\")");
    }
    JsonNode text = input.get("text");
    if (text == null || !text.isTextual()) throw invalid("text", "must be a string, got " + describe(text));
    JsonNode topN = input.get("topN");
    if (topN == null) return WordCounter.count(text.textValue(), DEFAULT_TOP_N);
    if (!isWholeNumberInRange(topN)) {
      throw invalid("topN", "must be a whole number from 1 to " + MAX_TOP_N + ", got " + describe(topN));
    }
    return WordCounter.count(text.textValue(), topN.intValue());
  }

  private static boolean isWholeNumberInRange(JsonNode value) {
    if (!value.isNumber()) return false;
    BigDecimal number = value.decimalValue();
    return number.stripTrailingZeros().scale() <= 0
        && number.compareTo(BigDecimal.ONE) >= 0
        && number.compareTo(BigDecimal.valueOf(MAX_TOP_N)) <= 0;
  }

  private static FunctionException invalid(String field, String message) {
    return new FunctionException("INVALID_INPUT", "field \"" + field + "\": " + message, false, Map.of("field", field), null);
  }

  private static String describe(JsonNode value) {
    if (value == null || value.isMissingNode()) return "nothing";
    if (value.isNull()) return "null";
    if (value.isArray()) return "an array";
    if (value.isObject()) return "an object";
    if (value.isTextual()) return "a string";
    if (value.isBoolean()) return "boolean " + value.asText();
    return "number " + value.asText();
  }
}
