package dev.nanofaas.testapps.behaviours;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nanofaas.function.FunctionException;
import dev.nanofaas.function.FunctionHandler;
import dev.nanofaas.function.InvocationRequest;
import dev.nanofaas.function.NanofaasFunction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** {"action": "...", ...} chooses what happens (like the Node runtime's test fixture); any other input is echoed. */
@NanofaasFunction(name = "behaviours")
public class BehavioursHandler implements FunctionHandler {
  public record Typed(String name, int count) {}

  public static class Unserialisable {
    public String getValue() {
      throw new IllegalStateException("this getter always fails");
    }
  }

  @Override
  public Object handle(InvocationRequest request) throws Exception {
    if (request.rawInput() != null) {
      return Map.of("contentType", request.contentType(), "text", new String(request.rawInput(), StandardCharsets.UTF_8));
    }
    JsonNode input = request.input();
    String action = input.isObject() && input.has("action") ? input.get("action").asText() : "";
    switch (action) {
      case "fail":
        throw new FunctionException(
            input.path("code").asText("BAD_INPUT"),
            input.path("message").asText("bad input"),
            input.path("retryable").asBoolean(false),
            input.get("details"),
            null);
      case "throw":
        throw new IllegalStateException(input.path("message").asText("boom"));
      case "sleep":
        Thread.sleep(input.path("ms").asLong());
        return Map.of("slept", input.path("ms").asLong());
      case "spin":
        {
          // Ignores the interrupt: the deadline must still be answered on time.
          long until = System.nanoTime() + input.path("ms").asLong() * 1_000_000L;
          while (System.nanoTime() < until) Thread.onSpinWait();
          return "spun";
        }
      case "null":
        return null;
      case "binary":
        return input.path("text").asText().getBytes(StandardCharsets.UTF_8);
      case "unserialisable":
        return new Unserialisable();
      case "typed":
        return request.input().get("value") == null ? null : bind(request);
      case "log":
        request.context().logger().info("logged by the function");
        return "logged";
      case "describe":
        {
          Map<String, Object> seen = new LinkedHashMap<>();
          seen.put("metadata", request.metadata());
          seen.put("executionId", request.executionId());
          seen.put("traceId", request.traceId());
          seen.put("contentType", request.contentType());
          seen.put("attempt", request.attempt());
          seen.put("remainingMs", request.context().remainingMillis());
          seen.put("functionName", request.context().functionName());
          return seen;
        }
      default:
        return input;
    }
  }

  private static Typed bind(InvocationRequest request) {
    // input(Class) binds the whole input; the test sends {"action":"typed","value":...} and reads it back.
    record Envelope(String action, Typed value) {}
    return request.input(Envelope.class).value();
  }
}
