import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { type FunctionSpec, validateFunctionSpec } from '@nanofaas/contracts';
import { parseDocument } from 'yaml';
import { CliError, ExitCode } from './exit-codes.js';
import { javaRuntimeDir, nodeRuntimeCli, pythonRuntimeCommand, typescriptCompiler } from './paths.js';

/** A function folder's `nanofaas.yaml`: the FunctionSpec in YAML plus the CLI's own `x-build` steps. */
export interface Manifest {
  readonly path: string;
  /** The folder of the manifest: relative paths and build steps start there. */
  readonly dir: string;
  /** What `deploy` sends: `x-*` keys removed, relative paths and placeholders resolved. */
  readonly spec: FunctionSpec;
  /** Shell commands run in `dir` before registering (`x-build`), placeholders resolved. */
  readonly build: readonly string[];
}

export const MANIFEST_FILE = 'nanofaas.yaml';

type Env = Readonly<Record<string, string | undefined>>;

/** Quotes an argument for runtimeCommand (split like a POSIX shell by the watchdog) and for sh -c. */
export function quoteArg(arg: string): string {
  return /^[\w./:@%+=,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Placeholders a manifest may use in `runtimeCommand` and `x-build`, so a function folder does not
 * carry paths of one machine: `{{node}}` (this Node), `{{nodeRuntime}}` (the Node runtime's
 * command), `{{tsc}}` (the TypeScript compiler the CLI ships with), `{{pythonRuntime}}` (the
 * Python runtime's `nanofaas-python`), `{{python}}` (the Python of its virtualenv) and
 * `{{javaRuntime}}` (the Java runtime's Maven project).
 */
function placeholders(env: Env): Record<string, () => string> {
  return {
    node: () => quoteArg(process.execPath),
    nodeRuntime: () => quoteArg(nodeRuntimeCli(env)),
    tsc: () => `${quoteArg(process.execPath)} ${quoteArg(typescriptCompiler())}`,
    pythonRuntime: () => quoteArg(installedPythonRuntime(env)),
    python: () => quoteArg(join(dirname(installedPythonRuntime(env)), 'python')),
    javaRuntime: () => quoteArg(javaRuntimeDir(env)),
  };
}

function expand(text: string, field: string, file: string, env: Env): string {
  const known = placeholders(env);
  return text.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (_, name: string) => {
    const value = known[name];
    if (value === undefined) {
      throw invalid(file, field, `unknown placeholder {{${name}}} (known: ${Object.keys(known).join(', ')})`);
    }
    return value();
  });
}

function installedPythonRuntime(env: Env): string {
  const command = pythonRuntimeCommand(env);
  if (command.includes('/') && !existsSync(command)) {
    throw new CliError(
      `the Python runtime is not installed (${command})`,
      ExitCode.deployFailed,
      'make its virtualenv with `bash runtimes/python/scripts/venv.sh`, or set NANOFAAS_PYTHON_RUNTIME',
    );
  }
  return command;
}

function invalid(file: string, field: string, message: string): CliError {
  return new CliError(`${file}: field "${field}": ${message}`, ExitCode.usage);
}

/** Reads, resolves and validates a manifest; every problem is a CliError naming the file and field. */
export function loadManifest(file: string, cwd: string, env: Env): Manifest {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      `${file}: ${code === 'ENOENT' ? 'no such file' : String(error)}`,
      ExitCode.usage,
      code === 'ENOENT' ? 'create one with `nanofaas init <name>`, or pass -f <manifest>' : undefined,
    );
  }
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new CliError(`${file}: not valid YAML: ${document.errors[0]!.message}`, ExitCode.usage);
  }
  const value: unknown = document.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CliError(
      `${file}: must be a mapping of FunctionSpec fields (name, runtimeCommand, …)`,
      ExitCode.usage,
    );
  }
  const dir = dirname(path);
  const raw = value as Record<string, unknown>;
  const build = buildSteps(raw['x-build'], file).map((step, index) =>
    expand(step, `x-build[${index}]`, file, env),
  );
  const spec: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(raw)) if (!key.startsWith('x-')) spec[key] = field;
  if (typeof spec.runtimeCommand === 'string') {
    spec.runtimeCommand = expand(spec.runtimeCommand, 'runtimeCommand', file, env);
    spec.workdir ??= '.';
  }
  if (typeof spec.workdir === 'string' && !isAbsolute(spec.workdir))
    spec.workdir = resolve(dir, spec.workdir);
  const result = validateFunctionSpec(spec);
  if (!result.ok) {
    const lines = result.issues.map((issue) => `field "${issue.field}": ${issue.message}`);
    throw new CliError(`${file}: ${lines.join('\n  ')}`, ExitCode.usage);
  }
  return { path, dir, spec: result.value, build };
}

function buildSteps(value: unknown, file: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((step) => typeof step === 'string')) return value as string[];
  throw invalid(file, 'x-build', 'must be a command or a list of commands');
}
