package dev.nanofaas.runtime;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nanofaas.function.FunctionHandler;
import dev.nanofaas.runtime.config.RuntimeConfig;
import dev.nanofaas.runtime.discovery.DiscoveredHandler;
import dev.nanofaas.runtime.discovery.FunctionHandlerScanner;
import dev.nanofaas.runtime.discovery.HandlerRegistry;
import dev.nanofaas.runtime.invoke.HandlerInvoker;
import dev.nanofaas.runtime.invoke.InvocationRequestDecoder;
import dev.nanofaas.runtime.json.ExactJsonReader;
import dev.nanofaas.runtime.metrics.RuntimeMetrics;
import dev.nanofaas.runtime.oneshot.CallbackClient;
import dev.nanofaas.runtime.oneshot.OneShotApplicationRunner;
import dev.nanofaas.runtime.oneshot.OneShotRunner;
import dev.nanofaas.runtime.stdio.StdioApplicationRunner;
import dev.nanofaas.runtime.web.ErrorWriter;
import dev.nanofaas.runtime.web.InvokeController;
import dev.nanofaas.runtime.web.RuntimeErrorController;
import dev.nanofaas.runtime.web.RuntimeState;
import dev.nanofaas.runtime.web.SigtermDrain;
import dev.nanofaas.runtime.web.TraceLoggingFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.error.ErrorMvcAutoConfiguration;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.ImportRuntimeHints;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;

/**
 * The nanofaas function runtime as a Spring Boot starter: put it and one {@code @NanofaasFunction}
 * class in a Spring Boot application and the jar serves POST /invoke, GET /health and GET /metrics,
 * or — with EXECUTION_ID, CALLBACK_URL and INVOCATION_PAYLOAD set — runs once and calls back.
 */
// Before the error controller and the actuator's Prometheus registry, so that those back off for ours.
@AutoConfiguration(
    after = JacksonAutoConfiguration.class,
    before = ErrorMvcAutoConfiguration.class,
    beforeName = "org.springframework.boot.actuate.autoconfigure.metrics.export.prometheus.PrometheusMetricsExportAutoConfiguration")
@ImportRuntimeHints(NanofaasRuntimeHints.class)
public class NanofaasRuntimeAutoConfiguration {
  /** Handler threads beyond Tomcat's 200 leave room for handlers that ignore the deadline's interrupt. */
  private static final int MAX_HANDLER_THREADS = 256;

  @Bean
  static FunctionHandlerScanner nanofaasFunctionHandlerScanner() {
    return new FunctionHandlerScanner();
  }

  @Bean
  RuntimeConfig nanofaasRuntimeConfig(Environment environment) {
    return RuntimeConfig.load(environment::getProperty);
  }

  @Bean
  DiscoveredHandler nanofaasDiscoveredHandler(ListableBeanFactory beans, ApplicationContext context, RuntimeConfig config) {
    HandlerRegistry registry = HandlerRegistry.discover(beans.getBeansOfType(FunctionHandler.class), context.getClassLoader());
    DiscoveredHandler handler = registry.select(config.functionName());
    LoggerFactory.getLogger(HandlerRegistry.class)
        .info("serving function handler \"{}\" ({}, {})", handler.name(), handler.type().getName(), handler.source());
    return handler;
  }

  @Bean
  RuntimeJson nanofaasRuntimeJson(ObjectProvider<Jackson2ObjectMapperBuilder> builder, RuntimeConfig config) {
    ObjectMapper mapper = builder.getIfAvailable(Jackson2ObjectMapperBuilder::json).build();
    // An emoji goes out as its UTF-8 bytes, not as an escaped surrogate pair (as JSON.stringify writes it).
    mapper.configure(JsonGenerator.Feature.COMBINE_UNICODE_SURROGATES_IN_UTF8, true);
    return new RuntimeJson(mapper, new InvocationRequestDecoder(new ExactJsonReader(config.maxBodyBytes())));
  }

  @Bean(destroyMethod = "shutdownNow")
  ExecutorService nanofaasHandlerExecutor() {
    AtomicInteger count = new AtomicInteger();
    return new ThreadPoolExecutor(
        0,
        MAX_HANDLER_THREADS,
        60,
        TimeUnit.SECONDS,
        new SynchronousQueue<>(),
        task -> {
          Thread thread = new Thread(task, "nanofaas-handler-" + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
  }

  @Bean
  HandlerInvoker nanofaasHandlerInvoker(
      DiscoveredHandler handler, RuntimeJson json, ExecutorService nanofaasHandlerExecutor, RuntimeConfig config) {
    return new HandlerInvoker(handler.handler(), json.mapper(), nanofaasHandlerExecutor, config.functionName(), Clock.systemUTC());
  }

  @Bean
  OneShotApplicationRunner nanofaasOneShotRunner(HandlerInvoker invoker, RuntimeJson json, RuntimeConfig config, ApplicationContext context) {
    return new OneShotApplicationRunner(
        new OneShotRunner(invoker, json.decoder(), CallbackClient.withDefaults(), json.mapper()), config, context);
  }

  @Bean
  StdioApplicationRunner nanofaasStdioRunner(HandlerInvoker invoker, RuntimeJson json, RuntimeConfig config, ApplicationContext context) {
    return new StdioApplicationRunner(invoker, json.decoder(), json.mapper(), config, context);
  }

  /** The HTTP side; absent in a one-shot or STDIO run. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  static class Web {
    @Bean
    RuntimeState nanofaasRuntimeState() {
      return new RuntimeState();
    }

    @Bean
    ApplicationListener<WebServerInitializedEvent> nanofaasReadyListener(RuntimeState state) {
      return event -> state.markReady(ManagementFactory.getRuntimeMXBean().getUptime());
    }

    @Bean
    SigtermDrain nanofaasSigtermDrain() {
      return new SigtermDrain();
    }

    @Bean
    ApplicationListener<ContextClosedEvent> nanofaasDrainListener(RuntimeState state) {
      return event -> state.startDraining();
    }

    @Bean
    @ConditionalOnMissingBean
    PrometheusMeterRegistry nanofaasPrometheusRegistry() {
      return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    @Bean
    RuntimeMetrics nanofaasRuntimeMetrics(PrometheusMeterRegistry registry, RuntimeState state) {
      return new RuntimeMetrics(registry, state::initDurationMs);
    }

    @Bean
    ErrorWriter nanofaasErrorWriter(RuntimeJson json) {
      return new ErrorWriter(json.mapper());
    }

    @Bean
    InvokeController nanofaasInvokeController(
        HandlerInvoker invoker,
        RuntimeJson json,
        RuntimeMetrics metrics,
        PrometheusMeterRegistry registry,
        RuntimeState state,
        ErrorWriter errors,
        RuntimeConfig config) {
      return new InvokeController(invoker, json.decoder(), metrics, registry, state, errors, config.maxBodyBytes(), config.timeoutMs());
    }

    @Bean
    RuntimeErrorController nanofaasErrorController(RuntimeState state, ErrorWriter errors) {
      return new RuntimeErrorController(state, errors);
    }

    @Bean
    FilterRegistrationBean<TraceLoggingFilter> nanofaasTraceLoggingFilter() {
      FilterRegistrationBean<TraceLoggingFilter> registration = new FilterRegistrationBean<>(new TraceLoggingFilter());
      registration.addUrlPatterns("/invoke");
      registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
      return registration;
    }
  }

  /** The runtime's own Jackson setup: the application's ObjectMapper settings plus the exact-number reader. */
  public record RuntimeJson(ObjectMapper mapper, InvocationRequestDecoder decoder) {}
}
