package dev.nanofaas.runtime.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * One JSON object per line, the shape of the watchdog's and the Node runtime's logs:
 * {@code {"ts":"…","level":"info","msg":"…","logger":"…","function":"…","executionId":"…","traceId":"…"}}
 * — every MDC entry becomes a field (the TraceLoggingFilter puts executionId and traceId there), and
 * a throwable becomes {@code "err":{"name","message","stack"}}.
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
  private static final JsonFactory JSON = new JsonFactory();
  private static final byte[] NOTHING = new byte[0];
  private String functionName = System.getenv("FUNCTION_NAME");

  /** Set from the logback configuration; defaults to FUNCTION_NAME. */
  public void setFunctionName(String functionName) {
    this.functionName = functionName;
  }

  @Override
  public byte[] headerBytes() {
    return NOTHING;
  }

  @Override
  public byte[] footerBytes() {
    return NOTHING;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("ts", Instant.ofEpochMilli(event.getTimeStamp()).toString());
      json.writeStringField("level", levelOf(event));
      json.writeStringField("msg", event.getFormattedMessage());
      json.writeStringField("logger", event.getLoggerName());
      if (functionName != null && !functionName.isEmpty()) json.writeStringField("function", functionName);
      Map<String, String> mdc = event.getMDCPropertyMap();
      if (mdc != null) {
        for (Map.Entry<String, String> entry : mdc.entrySet()) json.writeStringField(entry.getKey(), entry.getValue());
      }
      if (event.getKeyValuePairs() != null) {
        for (org.slf4j.event.KeyValuePair pair : event.getKeyValuePairs()) {
          json.writeFieldName(pair.key);
          writeValue(json, pair.value);
        }
      }
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) {
        json.writeObjectFieldStart("err");
        json.writeStringField("name", thrown.getClassName());
        json.writeStringField("message", thrown.getMessage());
        json.writeStringField("stack", ThrowableProxyUtil.asString(thrown));
        json.writeEndObject();
      }
      json.writeEndObject();
    } catch (IOException e) {
      return ("{\"level\":\"error\",\"msg\":\"a log line could not be written\"}\n").getBytes(StandardCharsets.UTF_8);
    }
    out.write('\n');
    return out.toByteArray();
  }

  /** Numbers and booleans as JSON values (logger.atInfo().addKeyValue("step", 1)), anything else as text. */
  private static void writeValue(JsonGenerator json, Object value) throws IOException {
    if (value == null) json.writeNull();
    else if (value instanceof Integer || value instanceof Long) json.writeNumber(((Number) value).longValue());
    else if (value instanceof Number number) json.writeNumber(number.doubleValue());
    else if (value instanceof Boolean bool) json.writeBoolean(bool);
    else json.writeString(String.valueOf(value));
  }

  private static String levelOf(ILoggingEvent event) {
    String level = event.getLevel().toString().toLowerCase(Locale.ROOT);
    return level.equals("trace") ? "debug" : level;
  }
}
