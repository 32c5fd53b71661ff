import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { repositoryPath } from '../repository.js';
import type { RuntimeDescriptor } from '../runtime-descriptor.js';

const JAR = repositoryPath('test/runtime-conformance/handlers/java/target/conformance.jar');

/** JAVA_HOME's java, else java on PATH. */
function findJava(): string | undefined {
  const home = process.env['JAVA_HOME'];
  if (home !== undefined && existsSync(join(home, 'bin/java'))) return join(home, 'bin/java');
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir.length > 0 && existsSync(join(dir, 'java'))) return join(dir, 'java');
  }
  return undefined;
}

const java = findJava() ?? 'java';

/** The Java runtime (runtimes/java: Spring Boot), the conformance handler's fat jar on the JVM. */
export const javaRuntime: RuntimeDescriptor = {
  name: 'java',
  prepare: async () => {
    if (findJava() === undefined) return 'no JDK (JAVA_HOME or java on PATH)';
    if (!existsSync(JAR)) {
      // `npm run build` makes it with the examples when Maven is installed; build it here otherwise.
      try {
        execFileSync('mvn', ['-B', '-q', 'package', '-DskipTests'], {
          cwd: repositoryPath('runtimes/java'),
          stdio: 'inherit',
        });
      } catch {
        return `${JAR} is not built and mvn could not build it`;
      }
    }
    return undefined;
  },
  // A JVM starts in a second or two, far more on a loaded machine; behind the watchdog too.
  readyTimeoutMs: 180_000,
  http: () => ({ argv: [java, '-jar', JAR], env: { HEALTH_TIMEOUT_MS: '180000' } }),
  stdio: () => ({ argv: [java, '-jar', JAR, '--stdio'] }),
  // The Java runtime has no FILE mode of its own: its STDIO mode on the watchdog's files.
  file: () => ({
    argv: ['sh', '-c', 'exec "$0" -jar "$1" --stdio < "$INPUT_FILE" > "$OUTPUT_FILE"', java, JAR],
  }),
  oneShot: () => ({ argv: [java, '-jar', JAR] }),
  todo: {
    'one-shot-final-4xx':
      "exits 3 (the watchdog's status for an undelivered callback, watchdog/README.md) where the suite expects 1",
    'one-shot-partial-env':
      "exits 2 (the watchdog's status for invalid configuration) where the suite expects 1",
  },
};
