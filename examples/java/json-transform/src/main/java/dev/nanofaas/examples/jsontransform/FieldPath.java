package dev.nanofaas.examples.jsontransform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** A dotted path into nested objects: "address.city" → [address, city] (examples/json-transform/src/field-path.ts). */
public record FieldPath(List<String> segments) {
  // The TypeScript example refuses the names that would reach an object's prototype; kept for the same answers.
  private static final Set<String> FORBIDDEN_SEGMENTS = Set.of("__proto__", "prototype", "constructor");
  private static final int MAX_SEGMENTS = 32;

  /** Parses "a.b.c"; {@code where} names the operation field in error messages ("operations.2.from"). */
  static FieldPath parse(JsonNode value, String where) {
    if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
      throw Operation.invalid(where, "must be a non-empty dotted path such as \"address.city\"");
    }
    String text = value.textValue();
    List<String> segments = Arrays.asList(text.split("\\.", -1));
    if (segments.stream().anyMatch(String::isEmpty)) throw Operation.invalid(where, "\"" + text + "\" has an empty segment");
    if (segments.size() > MAX_SEGMENTS) throw Operation.invalid(where, "\"" + text + "\" is deeper than " + MAX_SEGMENTS + " levels");
    for (String segment : segments) {
      if (FORBIDDEN_SEGMENTS.contains(segment)) {
        throw Operation.invalid(where, "\"" + text + "\" uses the reserved name \"" + segment + "\"");
      }
    }
    return new FieldPath(List.copyOf(segments));
  }

  String last() {
    return segments.get(segments.size() - 1);
  }

  String dotted() {
    return String.join(".", segments);
  }

  /** The object holding the last segment, or null when a segment on the way is missing or not an object. */
  ObjectNode parentIn(ObjectNode document) {
    JsonNode current = document;
    for (String segment : segments.subList(0, segments.size() - 1)) {
      if (!current.isObject() || !current.has(segment)) return null;
      current = current.get(segment);
    }
    return current.isObject() ? (ObjectNode) current : null;
  }

  boolean existsIn(ObjectNode document) {
    ObjectNode parent = parentIn(document);
    return parent != null && parent.has(last());
  }
}
