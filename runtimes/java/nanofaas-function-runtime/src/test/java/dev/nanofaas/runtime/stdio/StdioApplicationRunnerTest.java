package dev.nanofaas.runtime.stdio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nanofaas.runtime.config.RuntimeConfig;
import dev.nanofaas.runtime.invoke.HandlerInvoker;
import dev.nanofaas.runtime.invoke.InvocationRequestDecoder;
import dev.nanofaas.runtime.json.ExactJsonReader;
import dev.nanofaas.testapps.behaviours.BehavioursHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** STDIO mode on in-memory streams: output and exit status 0, or {"error":…} and 1. */
class StdioApplicationRunnerTest {
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final ObjectMapper mapper = new ObjectMapper();

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  private String[] run(String stdin, Map<String, String> env) throws IOException {
    RuntimeConfig config = RuntimeConfig.load(env::get);
    StdioApplicationRunner runner =
        new StdioApplicationRunner(
            new HandlerInvoker(new BehavioursHandler(), mapper, executor, null, Clock.systemUTC()),
            new InvocationRequestDecoder(new ExactJsonReader(config.maxBodyBytes())),
            mapper,
            config,
            null);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int status = runner.run(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), new PrintStream(out, true, StandardCharsets.UTF_8));
    return new String[] {String.valueOf(status), out.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void writesTheOutputExactlyAndExits0() throws IOException {
    assertThat(run("{\"input\":{\"n\":7.0}}", Map.of())).containsExactly("0", "{\"n\":7.0}");
  }

  @Test
  void writesTheErrorAndExits1() throws IOException {
    String[] failed = run("{\"input\":{\"action\":\"fail\",\"code\":\"NOPE\"}}", Map.of("EXECUTION_ID", "e-1"));
    assertThat(failed[0]).isEqualTo("1");
    assertThat(failed[1]).startsWith("{\"error\":{\"code\":\"NOPE\"");
    assertThat(run("{\"input\":", Map.of())[1]).contains("MALFORMED_JSON");
    assertThat(run("{\"input\":\"" + "x".repeat(100) + "\"}", Map.of("MAX_BODY_BYTES", "50"))[1]).contains("PAYLOAD_TOO_LARGE");
  }
}
