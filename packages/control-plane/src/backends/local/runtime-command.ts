import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  openSync,
  readSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { splitCommand } from '@nanofaas/contracts';

/**
 * Why `runtimeCommand` cannot run from `cwd` with `path` (the function's PATH), or undefined when
 * its executable exists and is executable. Checked before any process starts so a typo shows up as
 * a clear message in the function's status instead of a replica that never becomes ready.
 */
export function explainUnrunnableCommand(
  runtimeCommand: string,
  cwd: string,
  path: string | undefined,
): string | undefined {
  const argv = splitCommand(runtimeCommand);
  if (argv === undefined) return `runtimeCommand has unbalanced quotes: ${runtimeCommand}`;
  const executable = argv[0];
  if (executable === undefined) return 'runtimeCommand is empty';
  if (executable.includes('/')) {
    const full = isAbsolute(executable) ? executable : resolve(cwd, executable);
    return explainFile(full, executable);
  }
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    if (explainFile(join(resolve(cwd, dir), executable), executable) === undefined) return undefined;
  }
  return `runtimeCommand: "${executable}" was not found in PATH (${path ?? ''})`;
}

function explainFile(full: string, shown: string): string | undefined {
  try {
    const stat = statSync(full);
    if (!stat.isFile()) return `runtimeCommand: "${shown}" (${full}) is not a file`;
    // access(X_OK) succeeds for root whatever the mode; exec does not.
    if ((stat.mode & 0o111) === 0) return `runtimeCommand: "${shown}" (${full}) is not executable`;
    accessSync(full, constants.X_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES') return `runtimeCommand: "${shown}" (${full}) is not executable`;
    return `runtimeCommand: "${shown}" (${full}) does not exist`;
  }
}

/**
 * The files a runtimeCommand runs: its executable as found (through PATH), every absolute argument
 * that exists, and where symbolic links among them lead (a virtualenv's python → the interpreter it
 * was made from). The sandbox mounts these into a function's view (sandbox-mounts.ts).
 */
export function commandFiles(runtimeCommand: string, cwd: string, path: string | undefined): string[] {
  const argv = splitCommand(runtimeCommand) ?? [];
  const [executable, ...args] = argv;
  const files: string[] = [];
  if (executable !== undefined) {
    if (executable.includes('/')) files.push(isAbsolute(executable) ? executable : resolve(cwd, executable));
    else {
      const found = (path ?? '')
        .split(delimiter)
        .filter((dir) => dir !== '')
        .map((dir) => join(resolve(cwd, dir), executable))
        .find((candidate) => explainFile(candidate, executable) === undefined);
      if (found !== undefined) files.push(found);
    }
  }
  for (const arg of args) if (isAbsolute(arg) && existsSync(arg)) files.push(arg);
  // A script's interpreter too (a virtualenv's console script names the venv's python).
  const interpreter = files[0] === undefined ? undefined : shebangInterpreter(files[0], cwd, path);
  if (interpreter !== undefined) files.push(interpreter);
  const real = files.flatMap((file) => {
    try {
      const target = realpathSync(file);
      return target === file ? [] : [target];
    } catch {
      return [];
    }
  });
  return [...files, ...real];
}

/** The interpreter a `#!` line names (through PATH for `#!/usr/bin/env name`), or undefined. */
function shebangInterpreter(file: string, cwd: string, path: string | undefined): string | undefined {
  let head: string;
  try {
    const fd = openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(256);
      head = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString('latin1');
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  if (!head.startsWith('#!')) return undefined;
  const [interpreter, argument] = head.slice(2).split('\n')[0]!.trim().split(/\s+/);
  if (interpreter === undefined || !isAbsolute(interpreter)) return undefined;
  if (!interpreter.endsWith('/env') || argument === undefined || argument.includes('/')) return interpreter;
  return (path ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => join(resolve(cwd, dir), argument))
    .find((candidate) => existsSync(candidate));
}
