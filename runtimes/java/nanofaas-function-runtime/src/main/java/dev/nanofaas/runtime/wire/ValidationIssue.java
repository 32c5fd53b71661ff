package dev.nanofaas.runtime.wire;

/** One field that broke a rule: the contracts' ValidationIssue. */
public record ValidationIssue(String field, String rule, String message) {}
