package dev.nanofaas.runtime;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** Collects the log events of the test's process (the runtime logs through logback). */
public final class LogCapture extends AppenderBase<ILoggingEvent> {
  private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

  public static LogCapture attach() {
    LogCapture capture = new LogCapture();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    capture.setContext(root.getLoggerContext());
    capture.start();
    root.addAppender(capture);
    return capture;
  }

  public void detach() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(this);
  }

  @Override
  protected void append(ILoggingEvent event) {
    event.prepareForDeferredProcessing();
    events.add(event);
  }

  public List<ILoggingEvent> events() {
    return events;
  }
}
