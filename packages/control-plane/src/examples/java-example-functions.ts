import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { command, type ExampleFunction } from './example-functions.js';

/** Where a JDK is: JAVA_HOME's `bin/java`, else `java` on PATH; undefined when there is none. */
export function findJava(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const home = env['JAVA_HOME'];
  if (home !== undefined && existsSync(join(home, 'bin/java'))) return join(home, 'bin/java');
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir.length > 0 && existsSync(join(dir, 'java'))) return join(dir, 'java');
  }
  return undefined;
}

export interface JavaExampleOptions {
  /** The JDK that runs a jar without an AOT cache. */
  readonly java: string | undefined;
  /** The JDK 25 that trained the AOT caches (scripts/build-java.mjs). */
  readonly java25: string;
}

export const DEFAULT_JAVA25 = '/usr/lib/jvm/temurin-25-jdk-amd64/bin/java';

/**
 * The Java examples (examples/java, Spring Boot on the nanofaas Java runtime), named apart from the
 * TypeScript ones. Each runs as `java -jar` behind the watchdog (HTTP mode, PORT=8081-style private
 * port), or — when `npm run build` trained a JDK 25 AOT cache for it — on that JDK with the cache and
 * Spring's AOT-processed context, the fastest start measured (runtimes/java/README.md, "Start-up").
 * Without a JDK or a built jar they are skipped with a log line.
 */
export function javaExampleFunctions(repositoryRoot: string, options: JavaExampleOptions): ExampleFunction[] {
  const example = (name: string) => {
    const target = join(repositoryRoot, 'examples/java', name, 'target');
    const jar = join(target, `${name}.jar`);
    const cache = join(target, 'aot-cache/app.aot');
    if (existsSync(options.java25) && existsSync(cache)) {
      const extracted = join(target, 'aot-cache', `${name}.jar`);
      return {
        argv: [options.java25, `-XX:AOTCache=${cache}`, '-Dspring.aot.enabled=true', '-jar', extracted],
        requires: [extracted, cache],
      };
    }
    const java = options.java ?? 'java (no JDK found: set JAVA_HOME or put java on PATH)';
    return { argv: [java, '-jar', jar], requires: [java, jar] };
  };
  const wordStats = example('word-stats');
  const jsonTransform = example('json-transform');
  return [
    {
      spec: {
        name: 'java-word-stats',
        runtimeMode: 'HTTP',
        executionMode: 'DEPLOYMENT',
        runtimeCommand: command(...wordStats.argv),
        concurrency: 32,
        timeoutMs: 10_000,
        scaling: { minReplicas: 1, maxReplicas: 2 },
      },
      requires: wordStats.requires,
    },
    {
      spec: {
        name: 'java-json-transform',
        runtimeMode: 'HTTP',
        executionMode: 'DEPLOYMENT',
        runtimeCommand: command(...jsonTransform.argv),
        concurrency: 32,
        timeoutMs: 10_000,
        // Scales to zero after a minute without requests; the next one cold-starts the JVM.
        scaling: { minReplicas: 0, maxReplicas: 2, idleTimeoutMs: 60_000 },
      },
      requires: jsonTransform.requires,
    },
  ];
}
