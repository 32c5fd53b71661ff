package dev.nanofaas.runtime;

import dev.nanofaas.function.FunctionHandler;
import dev.nanofaas.runtime.wire.ErrorInfo;
import dev.nanofaas.runtime.wire.ValidationIssue;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.BindingReflectionHintsRegistrar;

/**
 * What a native image of a function needs beyond what Spring AOT infers: the error records Jackson
 * serialises, the ServiceLoader file of handlers outside Spring, and the runtime's logback file.
 */
public final class NanofaasRuntimeHints implements RuntimeHintsRegistrar {
  @Override
  public void registerHints(RuntimeHints hints, ClassLoader classLoader) {
    new BindingReflectionHintsRegistrar().registerReflectionHints(hints.reflection(), ErrorInfo.class, ValidationIssue.class);
    hints.resources().registerPattern("META-INF/services/" + FunctionHandler.class.getName());
    hints.resources().registerPattern("nanofaas/logback.xml");
    hints.reflection().registerType(dev.nanofaas.runtime.logging.JsonLineEncoder.class, MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS, MemberCategory.INVOKE_PUBLIC_METHODS);
  }
}
