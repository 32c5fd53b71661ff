package dev.nanofaas.runtime.discovery;

import dev.nanofaas.function.FunctionHandler;

/**
 * A handler found in the jar.
 *
 * @param source how it was found: "spring bean 'x'" or "META-INF/services"
 */
public record DiscoveredHandler(String name, FunctionHandler handler, Class<?> type, String source) {}
