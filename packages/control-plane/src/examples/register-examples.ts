import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type FunctionSpec, PlatformError, type ResolvedFunctionSpec } from '@nanofaas/contracts';
import { type ExampleFunction, exampleFunctions } from './example-functions.js';
import { DEFAULT_JAVA25, findJava, javaExampleFunctions } from './java-example-functions.js';

/** The part of the function registry example registration uses. */
export interface ExampleRegistry {
  register(spec: FunctionSpec): Promise<unknown>;
  update(name: string, spec: FunctionSpec): Promise<unknown>;
  deployed(name: string): { readonly spec: ResolvedFunctionSpec } | undefined;
}

export interface ExampleRegistrationResult {
  readonly registered: string[];
  readonly skipped: string[];
}

/**
 * Registers the examples `npm start` ships with. Never throws: an example whose files are missing
 * (not built yet) or that cannot be registered is logged and skipped, so the control plane still
 * starts. An example registered by an earlier run is kept, or updated when its command changed
 * (the repository moved).
 */
export async function registerExamples(
  examples: readonly ExampleFunction[],
  registry: ExampleRegistry,
  log: (message: string) => void,
): Promise<ExampleRegistrationResult> {
  const registered: string[] = [];
  const skipped: string[] = [];
  for (const { spec, requires } of examples) {
    const missing = requires.filter((path) => !existsSync(path));
    if (missing.length > 0) {
      log(`example "${spec.name}" skipped: ${missing.join(', ')} not found (run \`npm run build\`)`);
      skipped.push(spec.name);
      continue;
    }
    try {
      const existing = registry.deployed(spec.name);
      if (existing === undefined) {
        await registry.register(spec);
      } else if (existing.spec.runtimeCommand !== spec.runtimeCommand) {
        await registry.update(spec.name, spec);
      }
      registered.push(spec.name);
    } catch (error) {
      const reason = error instanceof PlatformError || error instanceof Error ? error.message : String(error);
      log(`example "${spec.name}" skipped: ${reason}`);
      skipped.push(spec.name);
    }
  }
  return { registered, skipped };
}

/** The repository this control plane runs from (src/examples or dist/examples of packages/control-plane). */
const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * Registers the examples of this repository, run by this Node (`npm start`), and the Python ones
 * when `pythonRuntime` (the `nanofaas-python` of a virtualenv scripts/start.mjs prepared) is given.
 */
export function registerBundledExamples(
  registry: ExampleRegistry,
  log: (message: string) => void,
  pythonRuntime?: string,
): Promise<ExampleRegistrationResult> {
  const java = javaExampleFunctions(repositoryRoot, { java: findJava(process.env), java25: DEFAULT_JAVA25 });
  return registerExamples(
    [...exampleFunctions(repositoryRoot, process.execPath, pythonRuntime), ...java],
    registry,
    log,
  );
}
