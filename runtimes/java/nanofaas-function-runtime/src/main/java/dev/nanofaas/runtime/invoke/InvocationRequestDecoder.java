package dev.nanofaas.runtime.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nanofaas.runtime.json.ExactJsonReader;
import dev.nanofaas.runtime.wire.ErrorAnswer;
import dev.nanofaas.runtime.wire.ErrorCode;
import dev.nanofaas.runtime.wire.ValidationIssue;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and checks an InvocationRequest body by the contracts' schema
 * (packages/contracts/src/invocation.ts): an object with {@code input} (any JSON value) and an
 * optional {@code metadata} (null means absent) of at most 64 string values (keys 1–256 characters, values up to 8192), no
 * other field. Bad JSON is MALFORMED_JSON; a bad shape is VALIDATION_FAILED naming each field.
 */
public final class InvocationRequestDecoder {
  private static final int MAX_METADATA_ENTRIES = 64;
  private static final int MAX_METADATA_KEY = 256;
  private static final int MAX_METADATA_VALUE = 8192;

  /** Either a request or the answer that refuses it. */
  public sealed interface Result {}

  public record Accepted(DecodedRequest request) implements Result {}

  public record Refused(ErrorAnswer answer) implements Result {}

  private final ExactJsonReader reader;

  public InvocationRequestDecoder(ExactJsonReader reader) {
    this.reader = reader;
  }

  public Result decode(byte[] body) {
    JsonNode root;
    try {
      root = reader.read(body);
    } catch (IOException e) {
      if (isBlank(body)) {
        return new Refused(
            ErrorAnswer.of(ErrorCode.MALFORMED_JSON, "the body is empty; expected an InvocationRequest {\"input\": ...}"));
      }
      return new Refused(ErrorAnswer.of(ErrorCode.MALFORMED_JSON, "the body is not valid JSON: " + firstLine(e)));
    }
    List<ValidationIssue> issues = new ArrayList<>();
    if (!root.isObject()) {
      issues.add(new ValidationIssue("", "type", "must be an object (got " + preview(root) + ")"));
      return refuse(issues);
    }
    JsonNode input = root.get("input");
    if (input == null) issues.add(new ValidationIssue("input", "required", "is required"));
    Map<String, String> metadata = Collections.emptyMap();
    for (Iterator<Map.Entry<String, JsonNode>> fields = root.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      String name = field.getKey();
      if (name.equals("input")) continue;
      if (name.equals("metadata")) {
        // An explicit null for an optional field means absent (DESIGN.md §3).
        if (!field.getValue().isNull()) metadata = metadata(field.getValue(), issues);
      } else {
        issues.add(new ValidationIssue(name, "unknownField", "is not a known field"));
      }
    }
    if (!issues.isEmpty()) return refuse(issues);
    return new Accepted(new DecodedRequest(input, metadata));
  }

  private static Map<String, String> metadata(JsonNode value, List<ValidationIssue> issues) {
    // An explicit null means absent, as in the other runtimes and the control plane.
    if (value.isNull()) return Collections.emptyMap();
    if (!value.isObject()) {
      issues.add(new ValidationIssue("metadata", "type", "must be an object whose values are strings (got " + preview(value) + ")"));
      return Collections.emptyMap();
    }
    if (value.size() > MAX_METADATA_ENTRIES) {
      issues.add(new ValidationIssue("metadata", "maxLength", "must have at most " + MAX_METADATA_ENTRIES + " entries (got " + value.size() + ")"));
      return Collections.emptyMap();
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> entries = value.fields(); entries.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = entries.next();
      String key = entry.getKey();
      String field = "metadata." + key;
      if (key.isEmpty() || key.length() > MAX_METADATA_KEY) {
        issues.add(new ValidationIssue(field, key.isEmpty() ? "minLength" : "maxLength", "keys must be 1 to " + MAX_METADATA_KEY + " characters"));
      } else if (!entry.getValue().isTextual()) {
        issues.add(new ValidationIssue(field, "type", "must be an object whose values are strings (got " + preview(entry.getValue()) + ")"));
      } else if (entry.getValue().textValue().length() > MAX_METADATA_VALUE) {
        issues.add(new ValidationIssue(field, "maxLength", "must be at most " + MAX_METADATA_VALUE + " characters"));
      } else {
        metadata.put(key, entry.getValue().textValue());
      }
    }
    return Collections.unmodifiableMap(metadata);
  }

  private static Refused refuse(List<ValidationIssue> issues) {
    StringBuilder message = new StringBuilder("the body is not an InvocationRequest: ");
    for (int i = 0; i < issues.size(); i++) {
      ValidationIssue issue = issues.get(i);
      if (i > 0) message.append("; ");
      message.append(issue.field().isEmpty() ? "body: " : "field \"" + issue.field() + "\": ").append(issue.message());
    }
    return new Refused(ErrorAnswer.validation(message.toString(), List.copyOf(issues)));
  }

  private static String preview(JsonNode value) {
    String text = value.toString();
    return text.length() > 60 ? text.substring(0, 57) + "..." : text;
  }

  private static boolean isBlank(byte[] body) {
    for (byte b : body) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') return false;
    }
    return true;
  }

  private static String firstLine(IOException e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
