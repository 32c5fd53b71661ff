package dev.nanofaas.runtime.invoke;

import dev.nanofaas.runtime.wire.ErrorAnswer;

/** What an invocation produced: the output bytes, or an error answer. */
public sealed interface Outcome {
  long durationNanos();

  record Success(byte[] body, String contentType, long durationNanos) implements Outcome {}

  record Failure(ErrorAnswer answer, long durationNanos) implements Outcome {}
}
