package dev.nanofaas.runtime.invoke;

import dev.nanofaas.runtime.wire.ErrorAnswer;
import dev.nanofaas.runtime.wire.ErrorCode;
import java.util.Locale;

/**
 * How an /invoke body is read, decided by its Content-Type (as the Node runtime's content-type.ts):
 * JSON media types (application/json, anything +json) and a missing Content-Type carry an
 * InvocationRequest; any other type is handed to the function as raw bytes. JSON must be UTF-8 (RFC
 * 8259 §8.1), so a JSON type with another charset is refused rather than misread.
 */
public sealed interface BodyFormat {
  record Json() implements BodyFormat {}

  record Raw(String contentType) implements BodyFormat {}

  record Unsupported(ErrorAnswer answer) implements BodyFormat {}

  BodyFormat JSON = new Json();

  static BodyFormat classify(String header) {
    if (header == null || header.isEmpty() || header.equals("application/json")) return JSON;
    String[] parts = header.split(";");
    String media = parts[0].trim().toLowerCase(Locale.ROOT);
    if (!media.equals("application/json") && !media.endsWith("+json")) return new Raw(header);
    for (int i = 1; i < parts.length; i++) {
      String[] pair = parts[i].split("=", 2);
      String name = pair[0].trim().toLowerCase(Locale.ROOT);
      String value = pair.length > 1 ? pair[1].trim() : "";
      String charset = value.replaceAll("^\"|\"$", "").toLowerCase(Locale.ROOT);
      if (name.equals("charset") && !charset.equals("utf-8") && !charset.equals("utf8")) {
        return new Unsupported(
            ErrorAnswer.of(
                ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type: JSON bodies must be UTF-8, got charset=" + value));
      }
    }
    return JSON;
  }
}
