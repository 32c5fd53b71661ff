package dev.nanofaas.runtime.discovery;

import dev.nanofaas.function.FunctionHandler;
import dev.nanofaas.function.NanofaasFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;

/**
 * Finds the jar's function handlers — Spring beans implementing {@link FunctionHandler} (every
 * {@code @NanofaasFunction} class in the application's packages is one, see
 * {@link FunctionHandlerScanner}) and the classes listed in
 * {@code META-INF/services/dev.nanofaas.function.FunctionHandler} (handlers outside Spring, created
 * with their no-argument constructor) — and picks the one to serve: the only one, or the one named by
 * FUNCTION_NAME. None, several without FUNCTION_NAME, an unknown FUNCTION_NAME or two handlers with
 * one name are start-up errors that say what to do.
 */
public final class HandlerRegistry {
  private static final Logger log = LoggerFactory.getLogger(HandlerRegistry.class);
  private static final String SERVICES_FILE = "META-INF/services/" + FunctionHandler.class.getName();

  private final List<DiscoveredHandler> handlers;

  private HandlerRegistry(List<DiscoveredHandler> handlers) {
    this.handlers = List.copyOf(handlers);
  }

  /** Discovers the handlers among {@code beans} (bean name → bean) and the ServiceLoader entries of {@code classLoader}. */
  public static HandlerRegistry discover(Map<String, FunctionHandler> beans, ClassLoader classLoader) {
    List<DiscoveredHandler> found = new ArrayList<>();
    for (Map.Entry<String, FunctionHandler> bean : beans.entrySet()) {
      Class<?> type = AopUtils.getTargetClass(bean.getValue());
      String name = annotatedName(type);
      if (name == null) name = bean.getKey().startsWith("nanofaasFunction:") ? kebabCase(type.getSimpleName()) : bean.getKey();
      found.add(new DiscoveredHandler(name, bean.getValue(), type, "spring bean '" + bean.getKey() + "'"));
    }
    try {
      for (ServiceLoader.Provider<FunctionHandler> provider : ServiceLoader.load(FunctionHandler.class, classLoader).stream().toList()) {
        Class<? extends FunctionHandler> type = provider.type();
        if (found.stream().anyMatch(handler -> handler.type() == type)) continue; // already a bean
        String name = annotatedName(type);
        found.add(new DiscoveredHandler(name == null ? kebabCase(type.getSimpleName()) : name, provider.get(), type, SERVICES_FILE));
      }
    } catch (ServiceConfigurationError e) {
      throw new HandlerDiscoveryException(
          "a handler listed in " + SERVICES_FILE + " cannot be loaded: " + e.getMessage(),
          "List only public classes implementing " + FunctionHandler.class.getName() + " that have a public no-argument constructor.");
    }
    return new HandlerRegistry(found);
  }

  public List<DiscoveredHandler> handlers() {
    return handlers;
  }

  /** The handler to serve. */
  public DiscoveredHandler select(String functionName) {
    if (handlers.isEmpty()) {
      throw new HandlerDiscoveryException(
          "no function handler was found in this application",
          "Annotate a class implementing " + FunctionHandler.class.getName() + " with @" + NanofaasFunction.class.getSimpleName()
              + " in the package of your @SpringBootApplication class (or below it), or list it in " + SERVICES_FILE + ".");
    }
    Map<String, List<DiscoveredHandler>> byName = handlers.stream().collect(Collectors.groupingBy(DiscoveredHandler::name));
    for (Map.Entry<String, List<DiscoveredHandler>> entry : byName.entrySet()) {
      if (entry.getValue().size() > 1) {
        throw new HandlerDiscoveryException(
            "several handlers are named \"" + entry.getKey() + "\": " + describe(entry.getValue()),
            "Give each @" + NanofaasFunction.class.getSimpleName() + " a distinct name.");
      }
    }
    if (handlers.size() == 1) {
      DiscoveredHandler only = handlers.get(0);
      if (functionName != null && !functionName.equals(only.name())) {
        log.info("serving handler \"{}\" as FUNCTION_NAME={} (it is the only one)", only.name(), functionName);
      }
      return only;
    }
    if (functionName == null) {
      throw new HandlerDiscoveryException(
          "this application has " + handlers.size() + " function handlers and FUNCTION_NAME does not say which to serve: " + describe(handlers),
          "Set FUNCTION_NAME to one of " + names() + ", or keep one handler per jar.");
    }
    List<DiscoveredHandler> named = byName.get(functionName);
    if (named == null) {
      throw new HandlerDiscoveryException(
          "FUNCTION_NAME=" + functionName + " names none of this application's handlers: " + describe(handlers),
          "Set FUNCTION_NAME to one of " + names() + ".");
    }
    return named.get(0);
  }

  private String names() {
    return handlers.stream().map(DiscoveredHandler::name).sorted().collect(Collectors.joining(", "));
  }

  private static String describe(List<DiscoveredHandler> list) {
    return list.stream()
        .map(handler -> "\"" + handler.name() + "\" (" + handler.type().getName() + ", " + handler.source() + ")")
        .sorted()
        .collect(Collectors.joining(", "));
  }

  private static String annotatedName(Class<?> type) {
    NanofaasFunction annotation = type.getAnnotation(NanofaasFunction.class);
    if (annotation == null) return null;
    return annotation.name().isEmpty() ? kebabCase(type.getSimpleName()) : annotation.name();
  }

  /** WordStatsHandler → word-stats-handler. */
  static String kebabCase(String simpleName) {
    return simpleName.replaceAll("([a-z0-9])([A-Z])", "$1-$2").replaceAll("([A-Z])([A-Z][a-z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
  }
}
