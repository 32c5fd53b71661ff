import type { Template } from './template.js';

/** The Java class of a function name: `hello-java` → `HelloJava`. */
function className(functionName: string): string {
  return functionName
    .split('-')
    .map((part) => (/^\d/.test(part) ? `N${part}` : part.charAt(0).toUpperCase() + part.slice(1)))
    .join('');
}

/** A Java handler on the Java runtime (Spring Boot), HTTP mode, warm replicas; built with Maven. */
export const javaTemplate: Template = {
  name: 'java',
  description:
    'Java function on the Java runtime (Spring Boot, HTTP, warm replicas); deploy builds the jar with mvn',
  nextSteps: ['nanofaas deploy', `nanofaas invoke <name> --data '{"name":"Ada"}'`],
  files: (name) => {
    const cls = className(name);
    const pkg = `functions.${name.replace(/-/g, '')}`;
    const dir = `src/main/java/${pkg.replace('.', '/')}`;
    const testDir = `src/test/java/${pkg.replace('.', '/')}`;
    return [
      {
        path: 'nanofaas.yaml',
        content: `# The FunctionSpec of "${name}" in YAML (docs/configuration.md, "Function specification").
# \`nanofaas deploy\` runs the x-build steps in this folder, then registers or updates the function.
# {{javaRuntime}} is the Java runtime's Maven project (runtimes/java), installed into ~/.m2 first.
name: ${name}
runtimeMode: HTTP
executionMode: DEPLOYMENT
runtimeCommand: java -XX:TieredStopAtLevel=1 -jar target/function.jar
workdir: .
timeoutMs: 10000
concurrency: 16
scaling:
  minReplicas: 1
  maxReplicas: 2
x-build:
  - "mvn -B -q -o -f {{javaRuntime}}/pom.xml -pl nanofaas-function-sdk,nanofaas-function-runtime -am install -DskipTests || mvn -B -q -f {{javaRuntime}}/pom.xml -pl nanofaas-function-sdk,nanofaas-function-runtime -am install -DskipTests"
  - "mvn -B -q -o package || mvn -B -q package"
`,
      },
      {
        path: 'pom.xml',
        content: `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>3.5.7</version>
    <relativePath/>
  </parent>

  <groupId>functions</groupId>
  <artifactId>${name}</artifactId>
  <version>0.1.0</version>

  <properties>
    <java.version>17</java.version>
  </properties>

  <dependencies>
    <dependency>
      <groupId>dev.nanofaas</groupId>
      <artifactId>nanofaas-function-runtime</artifactId>
      <version>0.1.0</version>
    </dependency>
    <dependency>
      <groupId>org.junit.jupiter</groupId>
      <artifactId>junit-jupiter</artifactId>
      <scope>test</scope>
    </dependency>
  </dependencies>

  <build>
    <!-- A runnable fat jar: target/function.jar. -->
    <finalName>function</finalName>
    <plugins>
      <plugin>
        <groupId>org.springframework.boot</groupId>
        <artifactId>spring-boot-maven-plugin</artifactId>
        <executions>
          <execution>
            <id>repackage</id>
            <goals>
              <goal>repackage</goal>
            </goals>
          </execution>
        </executions>
      </plugin>
    </plugins>
  </build>
</project>
`,
      },
      {
        path: `${dir}/${cls}Application.java`,
        content: `package ${pkg};

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The function's jar: the nanofaas runtime finds {@link ${cls}Function} in this package. */
@SpringBootApplication
public class ${cls}Application {
  public static void main(String[] args) {
    SpringApplication.run(${cls}Application.class, args);
  }
}
`,
      },
      {
        path: `${dir}/${cls}Function.java`,
        content: `package ${pkg};

import com.fasterxml.jackson.databind.JsonNode;
import dev.nanofaas.function.FunctionHandler;
import dev.nanofaas.function.InvocationRequest;
import dev.nanofaas.function.NanofaasFunction;
import java.util.Map;

/**
 * The function: the runtime calls handle() once per invocation; what it returns (serialised by
 * Jackson) is the output. Throw dev.nanofaas.function.FunctionException to fail with a code.
 */
@NanofaasFunction(name = "${name}")
public class ${cls}Function implements FunctionHandler {
  @Override
  public Object handle(InvocationRequest request) {
    String name = nameOf(request.input());
    // JSON lines on stderr tagged with the execution id: \`nanofaas logs ${name}\` shows them.
    request.context().logger().info("greeting {}", name);
    return Map.of("greeting", "Hello, " + name + "!");
  }

  static String nameOf(JsonNode input) {
    JsonNode name = input == null ? null : input.get("name");
    return name != null && name.isTextual() && !name.textValue().isEmpty() ? name.textValue() : "world";
  }
}
`,
      },
      {
        path: `${testDir}/${cls}FunctionTest.java`,
        content: `package ${pkg};

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The handler's logic alone: mvn test. */
class ${cls}FunctionTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void greetsByNameAndTheWorldByDefault() throws Exception {
    assertEquals("Ada", ${cls}Function.nameOf(JSON.readTree("{\\"name\\":\\"Ada\\"}")));
    assertEquals("world", ${cls}Function.nameOf(JSON.readTree("null")));
    assertEquals("world", ${cls}Function.nameOf(JSON.readTree("{\\"name\\":7}")));
  }
}
`,
      },
      { path: '.gitignore', content: 'target/\n' },
      {
        path: 'README.md',
        content: `# ${name}

A Java function on the nanofaas Java runtime (Spring Boot, HTTP mode, warm replicas).

- \`${dir}/${cls}Function.java\` — the handler (\`@NanofaasFunction\`, \`FunctionHandler\`).
- \`pom.xml\` — a Spring Boot jar with the nanofaas function runtime; \`target/function.jar\`.
- \`nanofaas.yaml\` — its FunctionSpec; \`x-build\` installs the runtime into ~/.m2 and runs \`mvn package\`.
- \`${testDir}/${cls}FunctionTest.java\` — a test of the handler's logic: \`mvn test\`.

\`\`\`bash
nanofaas deploy                                   # mvn package, register, wait until ready
nanofaas invoke ${name} --data '{"name":"Ada"}'      # {"greeting":"Hello, Ada!"}
\`\`\`
`,
      },
    ];
  },
};
