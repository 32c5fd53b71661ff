package dev.nanofaas.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nanofaas.runtime.discovery.DiscoveredHandler;
import dev.nanofaas.runtime.discovery.HandlerDiscoveryException;
import dev.nanofaas.testapps.behaviours.BehavioursApplication;
import dev.nanofaas.testapps.none.NoHandlerApplication;
import dev.nanofaas.testapps.spi.SpiHandler;
import dev.nanofaas.testapps.two.TwoHandlersApplication;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.DefaultResourceLoader;

/** Which handler a jar serves: component scan of @NanofaasFunction, ServiceLoader, FUNCTION_NAME. */
class HandlerDiscoveryTest {
  @TempDir Path services;

  private ConfigurableApplicationContext start(Class<?> app, ClassLoader loader, String... properties) {
    SpringApplication application = new SpringApplication(new DefaultResourceLoader(loader), app);
    application.setWebApplicationType(WebApplicationType.NONE);
    application.setDefaultProperties(java.util.Map.of("logging.config", "classpath:nanofaas/logback.xml"));
    return application.run(java.util.Arrays.stream(properties).map(p -> "--" + p).toArray(String[]::new));
  }

  private ConfigurableApplicationContext start(Class<?> app, String... properties) {
    return start(app, getClass().getClassLoader(), properties);
  }

  /** A class loader that also sees a META-INF/services file listing SpiHandler. */
  private ClassLoader withServiceFile() throws IOException {
    Path file = services.resolve("META-INF/services/dev.nanofaas.function.FunctionHandler");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "# a handler outside Spring\n" + SpiHandler.class.getName() + "\n");
    return new URLClassLoader(new URL[] {services.toUri().toURL()}, getClass().getClassLoader());
  }

  @Test
  void servesTheOnlyAnnotatedHandlerWhateverFunctionNameSays() {
    try (ConfigurableApplicationContext context = start(BehavioursApplication.class, "FUNCTION_NAME=java-behaviours")) {
      DiscoveredHandler handler = context.getBean(DiscoveredHandler.class);
      assertThat(handler.name()).isEqualTo("behaviours");
      assertThat(handler.source()).startsWith("spring bean");
    }
  }

  @Test
  void failsClearlyWhenThereIsNoHandler() {
    assertThatThrownBy(() -> start(NoHandlerApplication.class).close())
        .hasRootCauseInstanceOf(HandlerDiscoveryException.class)
        .rootCause()
        .hasMessageContaining("no function handler was found");
  }

  @Test
  void failsClearlyWithSeveralHandlersAndNoFunctionName() {
    assertThatThrownBy(() -> start(TwoHandlersApplication.class).close())
        .rootCause()
        .isInstanceOf(HandlerDiscoveryException.class)
        .hasMessageContaining("2 function handlers")
        .hasMessageContaining("\"first\"")
        .hasMessageContaining("\"second-handler\"");
  }

  @Test
  void letsFunctionNameSelectOneOfSeveral() {
    try (ConfigurableApplicationContext context = start(TwoHandlersApplication.class, "FUNCTION_NAME=second-handler")) {
      assertThat(context.getBean(DiscoveredHandler.class).type()).isEqualTo(TwoHandlersApplication.SecondHandler.class);
    }
  }

  @Test
  void failsClearlyWhenFunctionNameNamesNoneOfSeveral() {
    assertThatThrownBy(() -> start(TwoHandlersApplication.class, "FUNCTION_NAME=third").close())
        .rootCause()
        .isInstanceOf(HandlerDiscoveryException.class)
        .hasMessageContaining("FUNCTION_NAME=third names none")
        .satisfies(e -> assertThat(((HandlerDiscoveryException) e).getExitCode()).isEqualTo(2));
  }

  @Test
  void findsAHandlerOutsideSpringThroughTheServiceLoader() throws IOException {
    try (ConfigurableApplicationContext context = start(NoHandlerApplication.class, withServiceFile())) {
      DiscoveredHandler handler = context.getBean(DiscoveredHandler.class);
      assertThat(handler.type()).isEqualTo(SpiHandler.class);
      assertThat(handler.name()).isEqualTo("spi-handler");
      assertThat(handler.source()).isEqualTo("META-INF/services/dev.nanofaas.function.FunctionHandler");
    }
  }

  @Test
  void countsServiceLoaderHandlersWithTheScannedOnes() throws IOException {
    ClassLoader loader = withServiceFile();
    assertThatThrownBy(() -> start(BehavioursApplication.class, loader).close())
        .rootCause()
        .hasMessageContaining("\"spi-handler\"")
        .hasMessageContaining("\"behaviours\"");
    try (ConfigurableApplicationContext context = start(BehavioursApplication.class, loader, "FUNCTION_NAME=spi-handler")) {
      assertThat(context.getBean(DiscoveredHandler.class).type()).isEqualTo(SpiHandler.class);
    }
  }
}
