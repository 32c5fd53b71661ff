package dev.nanofaas.runtime.stdio;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nanofaas.runtime.config.RuntimeConfig;
import dev.nanofaas.runtime.invoke.DecodedRequest;
import dev.nanofaas.runtime.invoke.HandlerInvoker;
import dev.nanofaas.runtime.invoke.Invocation;
import dev.nanofaas.runtime.invoke.InvocationRequestDecoder;
import dev.nanofaas.runtime.invoke.Outcome;
import dev.nanofaas.runtime.web.TraceIds;
import dev.nanofaas.runtime.wire.ErrorAnswer;
import dev.nanofaas.runtime.wire.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;
import org.slf4j.MDC;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationContext;

/**
 * STDIO mode ({@code java -jar app.jar --stdio}; the watchdog's STDIO runtime mode, as the Node
 * runtime's run-stdio.ts): one InvocationRequest on stdin, the output on stdout and exit status 0; on
 * any error {@code {"error":{…}}} on stdout and exit status 1. Whatever the function prints goes to
 * stderr, so stdout carries the output only. EXECUTION_ID, TRACE_ID and TIMEOUT_MS come from the
 * environment the watchdog sets.
 */
public final class StdioApplicationRunner implements ApplicationRunner {
  /** The command-line switch ({@code --stdio}) that selects this mode. */
  public static final String SWITCH = "stdio";

  private final HandlerInvoker invoker;
  private final InvocationRequestDecoder decoder;
  private final ObjectMapper mapper;
  private final RuntimeConfig config;
  private final ApplicationContext context;

  public StdioApplicationRunner(
      HandlerInvoker invoker, InvocationRequestDecoder decoder, ObjectMapper mapper, RuntimeConfig config, ApplicationContext context) {
    this.invoker = invoker;
    this.decoder = decoder;
    this.mapper = mapper;
    this.config = config;
    this.context = context;
  }

  @Override
  public void run(ApplicationArguments args) throws IOException {
    if (!context.getEnvironment().containsProperty(SWITCH)) return;
    PrintStream stdout = System.out;
    System.setOut(System.err);
    int status = run(System.in, stdout);
    stdout.flush();
    System.exit(SpringApplication.exit(context, () -> status));
  }

  /** Runs the invocation read from {@code stdin}; returns the exit status. */
  int run(InputStream stdin, PrintStream stdout) throws IOException {
    String executionId = config.executionId() != null ? config.executionId() : TraceIds.newExecutionId();
    String traceId = config.traceId() != null ? config.traceId() : TraceIds.generate();
    MDC.put("executionId", executionId);
    MDC.put("traceId", traceId);
    try {
      byte[] input = stdin.readNBytes(config.maxBodyBytes() + 1);
      ErrorAnswer failed;
      if (input.length > config.maxBodyBytes()) {
        failed = ErrorAnswer.of(
            ErrorCode.PAYLOAD_TOO_LARGE, "stdin is over the limit of " + config.maxBodyBytes() + " bytes (MAX_BODY_BYTES)");
      } else {
        InvocationRequestDecoder.Result decoded = decoder.decode(input);
        if (decoded instanceof InvocationRequestDecoder.Refused refused) {
          failed = refused.answer();
        } else {
          DecodedRequest request = ((InvocationRequestDecoder.Accepted) decoded).request();
          Outcome outcome =
              invoker.invoke(
                  new Invocation(request.input(), null, "application/json", request.metadata(), executionId, traceId, config.timeoutMs(), 1));
          if (outcome instanceof Outcome.Success success) {
            stdout.write(success.body());
            return 0;
          }
          failed = ((Outcome.Failure) outcome).answer();
        }
      }
      stdout.write(mapper.writeValueAsBytes(Map.of("error", failed.error())));
      return 1;
    } finally {
      MDC.clear();
    }
  }
}
