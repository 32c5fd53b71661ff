package dev.nanofaas.function;

import org.slf4j.Logger;

/** What a function can use besides its input. */
public interface FunctionContext {
  /** A logger whose lines carry the invocation's executionId and traceId (JSON lines on stderr). */
  Logger logger();

  /** Milliseconds left until the deadline, never negative. */
  long remainingMillis();

  /** FUNCTION_NAME of the process, or null when it is not set. */
  String functionName();
}
