package dev.nanofaas.runtime.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nanofaas.runtime.wire.ErrorAnswer;
import dev.nanofaas.runtime.wire.WireHeaders;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Writes {@code {"error": {...}}} answers with X-Error-Origin. */
public final class ErrorWriter {
  private final ObjectMapper mapper;

  public ErrorWriter(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  public byte[] body(ErrorAnswer answer) {
    try {
      return mapper.writeValueAsBytes(Map.of("error", answer.error()));
    } catch (JsonProcessingException e) {
      return ("{\"error\":{\"code\":\"" + answer.error().code() + "\",\"message\":\"(unserialisable)\"}}")
          .getBytes(StandardCharsets.UTF_8);
    }
  }

  public void write(HttpServletResponse response, ErrorAnswer answer, boolean closeConnection) throws IOException {
    byte[] body = body(answer);
    response.setStatus(answer.status());
    response.setHeader(WireHeaders.ERROR_ORIGIN, answer.error().origin());
    if (closeConnection) response.setHeader("Connection", "close");
    response.setContentType("application/json");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
    response.flushBuffer(); // as InvokeController does: sent before a graceful shutdown can close the connection
  }
}
