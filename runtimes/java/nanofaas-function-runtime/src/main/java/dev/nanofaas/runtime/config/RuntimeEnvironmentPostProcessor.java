package dev.nanofaas.runtime.config;

import java.util.HashMap;
import java.util.Map;
import org.springframework.aot.AotDetector;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Maps the runtime's environment (RuntimeConfig) onto Spring Boot's settings before anything starts:
 * PORT and HOST win over server.port and server.address (the watchdog passes PORT=8081 HOST=127.0.0.1);
 * a one-shot run starts no web server; and the runtime's defaults — JSON logs on stderr, no banner,
 * graceful shutdown bounded by TIMEOUT_MS — apply unless the application sets them itself. An unusable
 * setting stops the start with a line naming the variable (exit status 2).
 */
public final class RuntimeEnvironmentPostProcessor implements EnvironmentPostProcessor {
  private static final long DRAIN_GRACE_MS = 1_000;

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    RuntimeConfig config;
    try {
      config = RuntimeConfig.load(environment::getProperty);
    } catch (ConfigException e) {
      System.err.println(
          "{\"level\":\"error\",\"msg\":\"invalid configuration: " + e.getMessage().replace("\\", "\\\\").replace("\"", "\\\"")
              + "\",\"variable\":\"" + e.variable() + "\"}");
      throw e;
    }
    Map<String, Object> forced = new HashMap<>();
    if (environment.getProperty("PORT") != null && !environment.getProperty("PORT").isEmpty()) forced.put("server.port", config.port());
    if (environment.getProperty("HOST") != null && !environment.getProperty("HOST").isEmpty()) forced.put("server.address", config.host());
    if (environment.containsProperty("stdio")) {
      // STDIO mode (--stdio): one invocation on stdin, no web server.
      forced.put("spring.main.web-application-type", "none");
    } else if (config.isOneShot()) {
      if (AotDetector.useGeneratedArtifacts()) {
        // The AOT-processed context was built for a servlet application: keep it, on a private port.
        forced.put("server.port", 0);
        forced.put("server.address", "127.0.0.1");
      } else {
        forced.put("spring.main.web-application-type", "none");
      }
    }
    environment.getPropertySources().addFirst(new MapPropertySource("nanofaasRuntime", forced));

    Map<String, Object> defaults = new HashMap<>();
    defaults.put("logging.config", "classpath:nanofaas/logback.xml");
    defaults.put("spring.main.banner-mode", "off");
    defaults.put("server.shutdown", "graceful");
    defaults.put("spring.lifecycle.timeout-per-shutdown-phase", (config.timeoutMs() + DRAIN_GRACE_MS) + "ms");
    defaults.put("spring.web.resources.add-mappings", "false");
    defaults.put("server.error.whitelabel.enabled", "false");
    // Longer than the watchdog's pooled-connection idle time (60 s), so the runtime never closes a
    // keep-alive connection the watchdog is about to reuse; and no cap on requests per connection.
    defaults.put("server.tomcat.keep-alive-timeout", "65s");
    defaults.put("server.tomcat.max-keep-alive-requests", "-1");
    environment.getPropertySources().addLast(new MapPropertySource("nanofaasRuntimeDefaults", defaults));
  }
}
