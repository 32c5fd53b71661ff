package dev.nanofaas.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nanofaas.runtime.config.ConfigException;
import dev.nanofaas.runtime.config.RuntimeConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeConfigTest {
  private static RuntimeConfig load(Map<String, String> env) {
    return RuntimeConfig.load(env::get);
  }

  @Test
  void defaultsToTheOtherRuntimesSettings() {
    RuntimeConfig config = load(Map.of());
    assertThat(config.port()).isEqualTo(8080);
    assertThat(config.host()).isEqualTo("0.0.0.0");
    assertThat(config.maxBodyBytes()).isEqualTo(6 * 1024 * 1024);
    assertThat(config.timeoutMs()).isEqualTo(30_000);
    assertThat(config.isOneShot()).isFalse();
  }

  @Test
  void readsTheWatchdogsVariables() {
    RuntimeConfig config = load(Map.of("PORT", "8081", "HOST", "127.0.0.1", "TIMEOUT_MS", "1500", "FUNCTION_NAME", "f", "EXECUTION_ID", "e-1"));
    assertThat(config.port()).isEqualTo(8081);
    assertThat(config.host()).isEqualTo("127.0.0.1");
    assertThat(config.timeoutMs()).isEqualTo(1500);
    assertThat(config.functionName()).isEqualTo("f");
    assertThat(config.isOneShot()).as("EXECUTION_ID alone is not a one-shot run").isFalse();
  }

  @Test
  void namesTheVariableOfAnUnusableValue() {
    assertThatThrownBy(() -> load(Map.of("TIMEOUT_MS", "soon"))).isInstanceOf(ConfigException.class).hasMessageStartingWith("TIMEOUT_MS:");
    assertThatThrownBy(() -> load(Map.of("PORT", "70000"))).hasMessageStartingWith("PORT:");
    assertThatThrownBy(() -> load(Map.of("MAX_BODY_BYTES", "0"))).hasMessageStartingWith("MAX_BODY_BYTES:");
    assertThat(new ConfigException("X", "y").getExitCode()).isEqualTo(2);
  }

  @Test
  void needsAllThreeOneShotVariablesTogether() {
    RuntimeConfig config =
        load(Map.of("EXECUTION_ID", "e-1", "CALLBACK_URL", "http://cp:8080/v1/internal/executions/", "INVOCATION_PAYLOAD", "{\"input\":1}", "CALLBACK_TOKEN", "t"));
    assertThat(config.oneShot().callbackUrl()).isEqualTo("http://cp:8080/v1/internal/executions");
    assertThat(config.oneShot().callbackToken()).isEqualTo("t");
    assertThatThrownBy(() -> load(Map.of("CALLBACK_URL", "http://cp/x"))).hasMessageStartingWith("EXECUTION_ID, INVOCATION_PAYLOAD:");
    assertThatThrownBy(() -> load(Map.of("EXECUTION_ID", "e", "CALLBACK_URL", "ftp://x", "INVOCATION_PAYLOAD", "{}")))
        .hasMessageStartingWith("CALLBACK_URL:");
  }
}
