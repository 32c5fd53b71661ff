package dev.nanofaas.testapps.spi;

import dev.nanofaas.function.FunctionHandler;
import dev.nanofaas.function.InvocationRequest;

/** A handler outside Spring, listed in a META-INF/services file the test writes. Not annotated. */
public class SpiHandler implements FunctionHandler {
  @Override
  public Object handle(InvocationRequest request) {
    return "from the service loader";
  }
}
