package dev.nanofaas.runtime.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/** The contracts' ErrorInfo: {@code {"code", "message", "origin", "retryable", "issues"?, "details"?}}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"code", "message", "origin", "retryable", "issues", "details"})
public record ErrorInfo(
    String code, String message, String origin, boolean retryable, List<ValidationIssue> issues, Object details) {}
