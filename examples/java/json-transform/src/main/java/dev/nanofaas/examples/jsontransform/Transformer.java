package dev.nanofaas.examples.jsontransform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nanofaas.function.FunctionException;
import java.util.List;
import java.util.Map;

/** Applies the operations in order to a copy of the document; the input is never changed (apply-operations.ts). */
final class Transformer {
  private Transformer() {}

  static ObjectNode apply(ObjectNode document, List<Operation> operations) {
    ObjectNode current = document.deepCopy();
    for (int i = 0; i < operations.size(); i++) current = applyOne(current, operations.get(i), "operations." + i);
    return current;
  }

  private static ObjectNode applyOne(ObjectNode document, Operation operation, String where) {
    if (operation instanceof Operation.Pick pick) return pick(document, pick.fields(), where);
    if (operation instanceof Operation.Rename rename) {
      rename(document, rename.from(), rename.to(), where);
      return document;
    }
    for (FieldPath path : ((Operation.Uppercase) operation).fields()) uppercase(document, path, where);
    return document;
  }

  // The document is already a private copy, so picked values can be shared with it.
  private static ObjectNode pick(ObjectNode document, List<FieldPath> fields, String where) {
    ObjectNode picked = JsonNodeFactory.instance.objectNode();
    for (FieldPath path : fields) {
      if (!path.existsIn(document)) continue;
      set(picked, path, path.parentIn(document).get(path.last()), where);
    }
    return picked;
  }

  private static void rename(ObjectNode document, FieldPath from, FieldPath to, String where) {
    ObjectNode source = from.parentIn(document);
    if (source == null || !source.has(from.last())) throw notFound(where, from);
    if (to.existsIn(document)) {
      throw new FunctionException(
          "FIELD_EXISTS", where + ": the target \"" + to.dotted() + "\" already exists", false, details(where, to.dotted()), null);
    }
    JsonNode value = source.remove(from.last());
    set(document, to, value, where);
  }

  private static void uppercase(ObjectNode document, FieldPath path, String where) {
    ObjectNode parent = path.parentIn(document);
    if (parent == null || !parent.has(path.last())) throw notFound(where, path);
    JsonNode value = parent.get(path.last());
    if (!value.isTextual()) {
      String got = value.isNull() ? "null" : value.isArray() ? "an array" : value.isNumber() ? "number" : value.isBoolean() ? "boolean" : "object";
      throw new FunctionException(
          "NOT_A_STRING", where + ": \"" + path.dotted() + "\" is " + got + ", not a string", false, details(where, path.dotted()), null);
    }
    // String.prototype.toUpperCase is locale-independent, like Locale.ROOT.
    parent.put(path.last(), value.textValue().toUpperCase(java.util.Locale.ROOT));
  }

  /** Sets a value, creating the intermediate objects; a non-object on the way is NOT_AN_OBJECT. */
  private static void set(ObjectNode document, FieldPath path, JsonNode value, String where) {
    ObjectNode current = document;
    List<String> segments = path.segments();
    for (int depth = 0; depth < segments.size() - 1; depth++) {
      String segment = segments.get(depth);
      if (!current.has(segment)) current.set(segment, JsonNodeFactory.instance.objectNode());
      JsonNode next = current.get(segment);
      if (!next.isObject()) {
        String at = String.join(".", segments.subList(0, depth + 1));
        throw new FunctionException(
            "NOT_AN_OBJECT",
            where + ": \"" + at + "\" is not an object, so \"" + path.dotted() + "\" cannot be set",
            false,
            details(where, at),
            null);
      }
      current = (ObjectNode) next;
    }
    current.set(path.last(), value);
  }

  private static FunctionException notFound(String where, FieldPath path) {
    return new FunctionException(
        "FIELD_NOT_FOUND", where + ": the document has no field \"" + path.dotted() + "\"", false, details(where, path.dotted()), null);
  }

  private static Map<String, String> details(String operation, String path) {
    return Map.of("operation", operation, "path", path);
  }
}
