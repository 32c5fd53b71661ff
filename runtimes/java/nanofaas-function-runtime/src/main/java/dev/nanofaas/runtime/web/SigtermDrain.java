package dev.nanofaas.runtime.web;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT drain and exit with status 0, as the Node runtime does: the context closes
 * (Spring Boot's graceful shutdown lets in-flight invocations finish, bounded by TIMEOUT_MS + 1 s),
 * then the JVM exits 0 instead of the 143 a default JVM reports for SIGTERM.
 */
public final class SigtermDrain implements ApplicationListener<ApplicationReadyEvent> {
  @Override
  public void onApplicationEvent(ApplicationReadyEvent event) {
    ConfigurableApplicationContext context = event.getApplicationContext();
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(
          new Signal(name),
          signal -> new Thread(() -> System.exit(SpringApplication.exit(context, () -> 0)), "nanofaas-drain").start());
    }
  }
}
