package dev.nanofaas.runtime.discovery;

import dev.nanofaas.function.NanofaasFunction;
import java.util.List;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.ResourceLoaderAware;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.ClassUtils;

/**
 * The component scan of {@code @NanofaasFunction}: the SDK knows nothing of Spring, so its
 * annotation is not a stereotype; this scans the packages of the {@code @SpringBootApplication} class
 * for it and registers each class found as a bean (unless it is one already, e.g. also
 * {@code @Component}). Under Spring AOT this runs at build time, like any component scan.
 */
public final class FunctionHandlerScanner
    implements BeanDefinitionRegistryPostProcessor, BeanFactoryAware, EnvironmentAware, ResourceLoaderAware {
  private BeanFactory beanFactory;
  private Environment environment;
  private ResourceLoader resourceLoader;

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beanFactory = beanFactory;
  }

  @Override
  public void setEnvironment(Environment environment) {
    this.environment = environment;
  }

  @Override
  public void setResourceLoader(ResourceLoader resourceLoader) {
    this.resourceLoader = resourceLoader;
  }

  @Override
  public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
    if (!AutoConfigurationPackages.has(beanFactory)) return;
    List<String> packages = AutoConfigurationPackages.get(beanFactory);
    ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false, environment);
    scanner.setResourceLoader(resourceLoader);
    scanner.addIncludeFilter(new AnnotationTypeFilter(NanofaasFunction.class));
    for (String basePackage : packages) {
      for (BeanDefinition candidate : scanner.findCandidateComponents(basePackage)) {
        String className = candidate.getBeanClassName();
        if (className == null || isRegistered(registry, className)) continue;
        Class<?> type = ClassUtils.resolveClassName(className, resourceLoader.getClassLoader());
        registry.registerBeanDefinition("nanofaasFunction:" + className, new RootBeanDefinition(type));
      }
    }
  }

  private static boolean isRegistered(BeanDefinitionRegistry registry, String className) {
    for (String name : registry.getBeanDefinitionNames()) {
      if (className.equals(registry.getBeanDefinition(name).getBeanClassName())) return true;
    }
    return false;
  }

  @Override
  public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {}
}
