package dev.nanofaas.function;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link FunctionHandler} for discovery: the Spring runtime finds annotated classes in the
 * packages of the {@code @SpringBootApplication} class (component scan) and makes them beans, so
 * they can take constructor-injected dependencies.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface NanofaasFunction {
  /** The function's name; selects it with FUNCTION_NAME when a jar has several. Default: the class name in kebab-case. */
  String name() default "";
}
