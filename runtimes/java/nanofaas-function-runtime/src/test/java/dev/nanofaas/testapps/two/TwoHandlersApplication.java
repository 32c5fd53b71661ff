package dev.nanofaas.testapps.two;

import dev.nanofaas.function.FunctionHandler;
import dev.nanofaas.function.NanofaasFunction;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class TwoHandlersApplication {
  @NanofaasFunction(name = "first")
  public static class First implements FunctionHandler {
    @Override
    public Object handle(dev.nanofaas.function.InvocationRequest request) {
      return "first";
    }
  }

  @NanofaasFunction
  public static class SecondHandler implements FunctionHandler {
    @Override
    public Object handle(dev.nanofaas.function.InvocationRequest request) {
      return "second";
    }
  }
}
