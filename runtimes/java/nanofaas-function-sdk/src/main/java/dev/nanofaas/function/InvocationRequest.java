package dev.nanofaas.function;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;

/** One invocation as the function sees it. */
public interface InvocationRequest {
  /**
   * The InvocationRequest's {@code input}: any JSON value, numbers kept exactly as sent ({@code 7.0}
   * stays {@code 7.0}, a 20-digit integer stays whole). When the HTTP body was not JSON, a
   * {@code BinaryNode} with the raw body (see {@link #contentType()} and {@link #rawInput()}).
   */
  JsonNode input();

  /**
   * The input bound to a type with Jackson, e.g. {@code request.input(Order.class)}.
   *
   * @throws FunctionException INVALID_INPUT naming the field when the input does not fit the type
   */
  <T> T input(Class<T> type);

  /** The raw body when it was not JSON, else null. */
  byte[] rawInput();

  /** {@code application/json} for a JSON input, otherwise the request's Content-Type. */
  String contentType();

  /** The InvocationRequest's {@code metadata}; empty when none was sent. Unmodifiable. */
  Map<String, String> metadata();

  String executionId();

  String traceId();

  /** 1 on the first dispatch, higher when the platform runs the same execution again. */
  int attempt();

  /** When the invocation times out. */
  Instant deadline();

  FunctionContext context();
}
