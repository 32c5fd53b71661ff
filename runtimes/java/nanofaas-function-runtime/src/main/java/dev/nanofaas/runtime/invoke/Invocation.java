package dev.nanofaas.runtime.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * One invocation, whichever mode it came from (HTTP or one-shot).
 *
 * @param rawInput the body when it was not JSON (then {@code input} is a BinaryNode of it), else null
 */
public record Invocation(
    JsonNode input,
    byte[] rawInput,
    String contentType,
    Map<String, String> metadata,
    String executionId,
    String traceId,
    int timeoutMs,
    int attempt) {}
