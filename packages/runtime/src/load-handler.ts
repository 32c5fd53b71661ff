import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Handler } from './handler.js';

/** The handler module cannot be used; the message says why and what to do. */
export class HandlerLoadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HandlerLoadError';
  }
}

/**
 * Imports the handler module at `path` (relative to `cwd`) and returns its handler: the default
 * export (what `export default defineFunction(...)` produces, or `module.exports = fn` in CommonJS),
 * else a function exported as `handler` or `handle`.
 */
export async function loadHandler(path: string, cwd: string = process.cwd()): Promise<Handler> {
  const file = resolve(cwd, path);
  if (!existsSync(file)) {
    throw new HandlerLoadError(
      `handler module not found: ${file} (set HANDLER or pass the module path as the argument)`,
    );
  }
  if (statSync(file).isDirectory()) {
    throw new HandlerLoadError(`handler module is a directory, not a file: ${file}`);
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new HandlerLoadError(`handler module ${file} failed to load: ${reason}`, { cause: error });
  }
  const handler = pickHandler(module);
  if (handler === undefined) {
    const exported = Object.keys(module);
    const found = exported.length === 0 ? 'it exports nothing' : `it exports: ${exported.join(', ')}`;
    throw new HandlerLoadError(
      `handler module ${file} has no handler export; use \`export default defineFunction(...)\` ` +
        `or export a function named "handler" (${found})`,
    );
  }
  return handler;
}

function pickHandler(module: Record<string, unknown>): Handler | undefined {
  const candidates = [module['default'], module['handler'], module['handle']];
  const fromCommonJs = module['default'];
  if (typeof fromCommonJs === 'object' && fromCommonJs !== null) {
    const exports = fromCommonJs as Record<string, unknown>;
    candidates.push(exports['default'], exports['handler'], exports['handle']);
  }
  return candidates.find((candidate): candidate is Handler => typeof candidate === 'function');
}
