import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/cli, seen from src/ or dist/. */
const cliRoot = fileURLToPath(new URL('..', import.meta.url));

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The control plane `nanofaas up` starts: NANOFAAS_CONTROL_PLANE_MAIN, else the built control plane
 * installed beside this package (packages/control-plane/dist/main.js). The CLI never imports it:
 * it runs it as a process.
 */
export function controlPlaneMain(env: Env): string {
  return env.NANOFAAS_CONTROL_PLANE_MAIN ?? resolve(cliRoot, '../control-plane/dist/main.js');
}

/** The Node runtime's command (`{{nodeRuntime}}` in a manifest): NANOFAAS_NODE_RUNTIME, else the one beside this package. */
export function nodeRuntimeCli(env: Env): string {
  return env.NANOFAAS_NODE_RUNTIME ?? resolve(cliRoot, '../runtime/dist/cli.js');
}

/** The TypeScript compiler the CLI ships with (`{{tsc}}` in a manifest's build steps). */
export function typescriptCompiler(): string {
  return createRequire(import.meta.url).resolve('typescript/bin/tsc');
}

/** The version of this package. */
export function cliVersion(): string {
  const require = createRequire(import.meta.url);
  return (require(resolve(cliRoot, 'package.json')) as { version: string }).version;
}

/**
 * The Python runtime's command (`{{pythonRuntime}}` in a manifest): NANOFAAS_PYTHON_RUNTIME, else
 * `nanofaas-python` of the runtime's virtualenv (NANOFAAS_PYTHON_VENV, else runtimes/python/.venv
 * of the repository the CLI is in; `bash runtimes/python/scripts/venv.sh` makes it).
 */
export function pythonRuntimeCommand(env: Env): string {
  if (env.NANOFAAS_PYTHON_RUNTIME !== undefined) return env.NANOFAAS_PYTHON_RUNTIME;
  const venv = env.NANOFAAS_PYTHON_VENV ?? resolve(cliRoot, '../../runtimes/python/.venv');
  return resolve(venv, 'bin/nanofaas-python');
}

/** The Java runtime's Maven project (`{{javaRuntime}}` in a manifest): NANOFAAS_JAVA_RUNTIME_DIR, else runtimes/java beside the CLI. */
export function javaRuntimeDir(env: Env): string {
  return env.NANOFAAS_JAVA_RUNTIME_DIR ?? resolve(cliRoot, '../../runtimes/java');
}
