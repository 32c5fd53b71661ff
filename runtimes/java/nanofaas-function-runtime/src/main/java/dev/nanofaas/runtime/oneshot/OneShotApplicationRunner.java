package dev.nanofaas.runtime.oneshot;

import dev.nanofaas.runtime.config.RuntimeConfig;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationContext;

/** In a one-shot run, runs the invocation once the context is up, then stops the process with its exit status. */
public final class OneShotApplicationRunner implements ApplicationRunner {
  private final OneShotRunner runner;
  private final RuntimeConfig config;
  private final ApplicationContext context;

  public OneShotApplicationRunner(OneShotRunner runner, RuntimeConfig config, ApplicationContext context) {
    this.runner = runner;
    this.config = config;
    this.context = context;
  }

  @Override
  public void run(ApplicationArguments args) {
    if (!config.isOneShot() || context.getEnvironment().containsProperty("stdio")) return;
    int status = runner.run(config);
    System.exit(SpringApplication.exit(context, () -> status));
  }
}
