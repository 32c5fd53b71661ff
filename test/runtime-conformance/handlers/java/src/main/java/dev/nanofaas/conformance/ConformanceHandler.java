package dev.nanofaas.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nanofaas.function.FunctionException;
import dev.nanofaas.function.FunctionHandler;
import dev.nanofaas.function.InvocationRequest;
import dev.nanofaas.function.NanofaasFunction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The conformance handler (test/runtime-conformance/README.md, "The conformance handler"). */
@NanofaasFunction(name = "conformance")
public class ConformanceHandler implements FunctionHandler {
  /** A value Jackson cannot serialise: its only property fails. */
  public static class Unserialisable {
    public Object getValue() {
      throw new IllegalStateException("this value cannot be serialised");
    }
  }

  @Override
  public Object handle(InvocationRequest request) throws Exception {
    if (request.rawInput() != null) {
      Map<String, Object> raw = new LinkedHashMap<>();
      raw.put("contentType", request.contentType());
      raw.put("text", new String(request.rawInput(), StandardCharsets.UTF_8));
      raw.put("bytes", request.rawInput().length);
      return raw;
    }
    JsonNode input = request.input();
    String action = input.isObject() && input.path("action").isTextual() ? input.get("action").textValue() : "";
    switch (action) {
      case "fail":
        throw new FunctionException(
            input.path("code").asText(), input.path("message").asText(), input.path("retryable").asBoolean(false), input.get("details"), null);
      case "throw":
        throw new IllegalStateException(input.path("message").asText());
      case "sleep":
        Thread.sleep(input.path("ms").asLong());
        return Map.of("slept", input.get("ms"));
      case "none":
        return null;
      case "unserialisable":
        return new Unserialisable();
      case "binary":
        return input.path("text").asText().getBytes(StandardCharsets.UTF_8);
      case "print":
        System.out.println("printed by the function");
        request.context().logger().atInfo().addKeyValue("step", 1).log("logged by the function");
        return "printed";
      case "describe":
        {
          Map<String, Object> seen = new LinkedHashMap<>();
          seen.put("metadata", request.metadata());
          seen.put("executionId", request.executionId());
          seen.put("traceId", request.traceId());
          seen.put("contentType", request.contentType());
          seen.put("attempt", request.attempt());
          seen.put("deadlineInFuture", request.deadline().toEpochMilli() > System.currentTimeMillis());
          seen.put("remainingMs", request.context().remainingMillis());
          seen.put("functionName", request.context().functionName());
          return seen;
        }
      default:
        return input;
    }
  }
}
