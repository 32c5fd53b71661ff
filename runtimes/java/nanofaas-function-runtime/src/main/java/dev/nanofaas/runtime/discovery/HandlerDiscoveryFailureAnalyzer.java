package dev.nanofaas.runtime.discovery;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a discovery failure into Spring Boot's start-up report: what is wrong, what to do. */
public final class HandlerDiscoveryFailureAnalyzer extends AbstractFailureAnalyzer<HandlerDiscoveryException> {
  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, HandlerDiscoveryException cause) {
    return new FailureAnalysis(cause.getMessage(), cause.action(), cause);
  }
}
