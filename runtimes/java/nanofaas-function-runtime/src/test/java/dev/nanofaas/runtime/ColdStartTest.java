package dev.nanofaas.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nanofaas.testapps.behaviours.BehavioursApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

@SpringBootTest(classes = BehavioursApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "FUNCTION_NAME=cold")
@DirtiesContext
class ColdStartTest {
  @LocalServerPort int port;

  @Test
  void marksOnlyTheFirstInvocationOfTheProcessAsAColdStart() {
    Http.Answer first = Http.post("http://127.0.0.1:" + port + "/invoke", "{\"input\":1}");
    assertThat(first.header("x-cold-start")).isEqualTo("true");
    assertThat(Long.parseLong(first.header("x-init-duration-ms"))).isPositive();
    Http.Answer second = Http.post("http://127.0.0.1:" + port + "/invoke", "{\"input\":2}");
    assertThat(second.header("x-cold-start")).isEqualTo("false");
    assertThat(second.header("x-init-duration-ms")).isNull();
  }
}
