package dev.nanofaas.runtime.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Reads one JSON text into a tree whose numbers keep their exact value and spelling: integers of any
 * size are exact (int, long or BigInteger nodes), and numbers with a fraction or exponent become
 * {@link ExactDecimalNode}s that write back their original text. Duplicate keys: the last wins (as
 * JSON.parse). Content after the value is an error.
 */
public final class ExactJsonReader {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private final JsonFactory factory;

  public ExactJsonReader(int maxBytes) {
    // The body limit bounds every string and number; nesting stays bounded so that a deep document
    // is a MALFORMED_JSON answer, not a stack overflow.
    this.factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNumberLength(Math.max(maxBytes, 1000))
                    .maxStringLength(Math.max(maxBytes, 1000))
                    .maxNestingDepth(1000)
                    .build())
            .build();
  }

  /** @throws IOException when the text is not exactly one JSON value */
  public JsonNode read(byte[] json) throws IOException {
    try (JsonParser parser = factory.createParser(json)) {
      JsonToken first = parser.nextToken();
      if (first == null) throw new IOException("no JSON value");
      JsonNode value = readValue(parser, first);
      if (parser.nextToken() != null) {
        throw new IOException("unexpected content after the JSON value at offset " + parser.currentTokenLocation().getByteOffset());
      }
      return value;
    }
  }

  private JsonNode readValue(JsonParser parser, JsonToken token) throws IOException {
    switch (token) {
      case START_OBJECT:
        {
          ObjectNode object = NODES.objectNode();
          for (JsonToken next = parser.nextToken(); next != JsonToken.END_OBJECT; next = parser.nextToken()) {
            String key = parser.currentName();
            object.set(key, readValue(parser, parser.nextToken()));
          }
          return object;
        }
      case START_ARRAY:
        {
          ArrayNode array = NODES.arrayNode();
          for (JsonToken next = parser.nextToken(); next != JsonToken.END_ARRAY; next = parser.nextToken()) {
            array.add(readValue(parser, next));
          }
          return array;
        }
      case VALUE_STRING:
        return NODES.textNode(parser.getText());
      case VALUE_NUMBER_INT:
        switch (parser.getNumberType()) {
          case INT:
            return NODES.numberNode(parser.getIntValue());
          case LONG:
            return NODES.numberNode(parser.getLongValue());
          default:
            return NODES.numberNode(parser.getBigIntegerValue());
        }
      case VALUE_NUMBER_FLOAT:
        return new ExactDecimalNode(parser.getDecimalValue(), parser.getText());
      case VALUE_TRUE:
        return NODES.booleanNode(true);
      case VALUE_FALSE:
        return NODES.booleanNode(false);
      case VALUE_NULL:
        return NODES.nullNode();
      default:
        throw new IOException("unexpected token " + token);
    }
  }
}
