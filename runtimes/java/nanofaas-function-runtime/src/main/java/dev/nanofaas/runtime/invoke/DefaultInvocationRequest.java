package dev.nanofaas.runtime.invoke;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nanofaas.function.FunctionContext;
import dev.nanofaas.function.FunctionException;
import dev.nanofaas.function.InvocationRequest;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;

final class DefaultInvocationRequest implements InvocationRequest {
  private final Invocation invocation;
  private final ObjectMapper mapper;
  private final Instant deadline;
  private final FunctionContext context;

  DefaultInvocationRequest(
      Invocation invocation, ObjectMapper mapper, Instant deadline, long deadlineNanos, FunctionContext context) {
    this.invocation = invocation;
    this.mapper = mapper;
    this.deadline = deadline;
    this.context = context;
  }

  @Override
  public JsonNode input() {
    return invocation.input();
  }

  @Override
  public <T> T input(Class<T> type) {
    try {
      return mapper.treeToValue(invocation.input(), type);
    } catch (JsonMappingException e) {
      String field =
          e.getPath().stream()
              .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : String.valueOf(ref.getIndex()))
              .collect(Collectors.joining("."));
      String where = field.isEmpty() ? "input" : "field \"" + field + "\"";
      throw new FunctionException(
          "INVALID_INPUT", where + ": " + e.getOriginalMessage(), false, Map.of("field", field), e);
    } catch (JsonProcessingException e) {
      throw new FunctionException("INVALID_INPUT", "input: " + e.getOriginalMessage(), false, null, e);
    }
  }

  @Override
  public byte[] rawInput() {
    return invocation.rawInput();
  }

  @Override
  public String contentType() {
    return invocation.contentType();
  }

  @Override
  public Map<String, String> metadata() {
    return invocation.metadata();
  }

  @Override
  public String executionId() {
    return invocation.executionId();
  }

  @Override
  public String traceId() {
    return invocation.traceId();
  }

  @Override
  public int attempt() {
    return invocation.attempt();
  }

  @Override
  public Instant deadline() {
    return deadline;
  }

  @Override
  public FunctionContext context() {
    return context;
  }
}
