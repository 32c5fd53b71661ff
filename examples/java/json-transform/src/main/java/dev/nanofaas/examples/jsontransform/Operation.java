package dev.nanofaas.examples.jsontransform;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nanofaas.function.FunctionException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The transformations json-transform knows, applied in order (examples/json-transform/src/operations.ts). */
public sealed interface Operation {
  int MAX_OPERATIONS = 100;
  int MAX_FIELDS = 100;

  /** Keep only these fields (missing ones are skipped). */
  record Pick(List<FieldPath> fields) implements Operation {}

  /** Move a field to another path (intermediate objects are created). */
  record Rename(FieldPath from, FieldPath to) implements Operation {}

  /** Upper-case these string fields. */
  record Uppercase(List<FieldPath> fields) implements Operation {}

  /** Validates the declared operations; INVALID_OPERATION names the offending field ("operations.1.to"). */
  static List<Operation> parseAll(JsonNode value) {
    if (value == null || !value.isArray()) throw invalid("operations", "must be an array of operations");
    if (value.size() > MAX_OPERATIONS) {
      throw invalid("operations", "at most " + MAX_OPERATIONS + " operations, got " + value.size());
    }
    List<Operation> operations = new ArrayList<>(value.size());
    for (int i = 0; i < value.size(); i++) operations.add(parse(value.get(i), "operations." + i));
    return operations;
  }

  private static Operation parse(JsonNode value, String where) {
    if (!value.isObject()) throw invalid(where, "must be an object such as {\"op\": \"pick\", ...}");
    JsonNode op = value.get("op");
    String name = op != null && op.isTextual() ? op.textValue() : "";
    switch (name) {
      case "pick":
        allowOnly(value, Set.of("op", "fields"), "op, fields", where);
        return new Pick(parseFields(value.get("fields"), where + ".fields"));
      case "uppercase":
        allowOnly(value, Set.of("op", "fields"), "op, fields", where);
        return new Uppercase(parseFields(value.get("fields"), where + ".fields"));
      case "rename":
        allowOnly(value, Set.of("op", "from", "to"), "op, from, to", where);
        return new Rename(FieldPath.parse(value.get("from"), where + ".from"), FieldPath.parse(value.get("to"), where + ".to"));
      default:
        throw invalid(where + ".op", "must be one of pick, rename, uppercase, got " + (op == null ? "nothing" : op.toString()));
    }
  }

  private static List<FieldPath> parseFields(JsonNode value, String where) {
    if (value == null || !value.isArray() || value.isEmpty()) throw invalid(where, "must be a non-empty array of dotted paths");
    if (value.size() > MAX_FIELDS) throw invalid(where, "at most " + MAX_FIELDS + " fields, got " + value.size());
    List<FieldPath> fields = new ArrayList<>(value.size());
    for (int i = 0; i < value.size(); i++) fields.add(FieldPath.parse(value.get(i), where + "." + i));
    return fields;
  }

  private static void allowOnly(JsonNode value, Set<String> allowed, String listed, String where) {
    for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) throw invalid(where + "." + name, "is not a field of this operation (allowed: " + listed + ")");
    }
  }

  static FunctionException invalid(String where, String message) {
    return new FunctionException("INVALID_OPERATION", where + ": " + message, false, Map.of("field", where), null);
  }
}
