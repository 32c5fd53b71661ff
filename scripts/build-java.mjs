#!/usr/bin/env node
// `npm run build:java` (part of `npm run build`): builds the Java runtime and the Java examples' jars
// with Maven when Maven is on this machine, and their JDK 25 ahead-of-time caches when a JDK 25 is
// (runtimes/java/README.md, "Start-up"). Without Maven it says so in one line and succeeds: the Java
// examples are then skipped by `npm start`. A no-op when the jars are newer than every source file.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const reactor = join(root, 'runtimes/java');
const examples = ['word-stats', 'json-transform'];
const conformanceHandler = join(root, 'test/runtime-conformance/handlers/java');
// The JDK 25 whose AOT cache the examples start with (packages/control-plane/src/examples/java-example-functions.ts).
const java25 = '/usr/lib/jvm/temurin-25-jdk-amd64/bin/java';

const onPath = (program) =>
  (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, program)));

/** Newest modification time under `dir`, ignoring build output. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'target' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const jar = (name) => join(root, 'examples/java', name, 'target', `${name}.jar`);
const aotDir = (name) => join(root, 'examples/java', name, 'target/aot-cache');
const outputs = () => [
  join(conformanceHandler, 'target/conformance.jar'),
  ...examples.flatMap((name) => [jar(name), ...(existsSync(java25) ? [join(aotDir(name), 'app.aot')] : [])]),
];

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  return result.status === 0;
}

if (!onPath('mvn')) {
  console.log(
    'build-java: Maven (mvn) is not installed; the Java examples are not built (npm start skips them)',
  );
  process.exit(0);
}
const sources = Math.max(
  newest(reactor),
  ...examples.map((name) => newest(join(root, 'examples/java', name))),
);
const built = outputs();
if (built.every((path) => existsSync(path) && statSync(path).mtimeMs > sources)) {
  console.log('build-java: the Java examples are up to date');
  process.exit(0);
}

// Offline first: with a warm ~/.m2 it skips every repository check; online when something is missing.
const mvn = ['-B', '-q', 'package', '-DskipTests'];
if (!run('mvn', ['-o', ...mvn], { cwd: reactor, stdio: 'ignore' }) && !run('mvn', mvn, { cwd: reactor })) {
  console.error('build-java: mvn package failed in runtimes/java');
  process.exit(1);
}

// The JDK 25 AOT cache (JEP 483/514/515) of each example: the jar extracted to plain jars (the cache
// cannot hold classes loaded from nested jars), then one training run that stops once the Spring
// context is refreshed. The cache belongs to this exact JDK and class path.
if (existsSync(java25)) {
  for (const name of examples) {
    const dir = aotDir(name);
    rmSync(dir, { recursive: true, force: true });
    const extracted = run(java25, ['-Djarmode=tools', '-jar', jar(name), 'extract', '--destination', dir]);
    const trained =
      extracted &&
      run(
        java25,
        [
          `-XX:AOTCacheOutput=${join(dir, 'app.aot')}`,
          '-Dspring.aot.enabled=true',
          '-Dspring.context.exit=onRefresh',
          '-jar',
          join(dir, `${name}.jar`),
        ],
        { env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' }, stdio: 'ignore' },
      );
    if (!trained)
      console.log(`build-java: no AOT cache for ${name} (the training run failed); it starts without one`);
  }
} else {
  console.log(`build-java: no JDK 25 at ${java25}: the Java examples start without an AOT cache`);
}
console.log(
  `build-java: built ${examples.map((name) => `examples/java/${name}/target/${name}.jar`).join(', ')}`,
);
