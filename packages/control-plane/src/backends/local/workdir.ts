import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { ValidationIssue } from '@nanofaas/contracts';

export type WorkdirResolution =
  | { readonly ok: true; readonly path: string }
  | { readonly ok: false; readonly issue: ValidationIssue };

/**
 * Resolves a function's `workdir` under the functions root (NANOFAAS_FUNCTIONS_ROOT). Relative
 * paths are taken from the root; absolute ones must lie inside it. Symbolic links are followed
 * before the check, so a link cannot lead out of the root either.
 */
export function resolveWorkdir(functionsRoot: string, workdir: string | undefined): WorkdirResolution {
  const root = realOrSelf(resolve(functionsRoot));
  if (workdir === undefined) return { ok: true, path: root };
  const wanted = isAbsolute(workdir) ? resolve(workdir) : resolve(root, workdir);
  if (!isInside(root, wanted)) return escaping(workdir, root);
  let real: string;
  try {
    real = realpathSync(wanted);
    if (!statSync(real).isDirectory()) return invalid(workdir, 'is not a directory', 'type');
  } catch {
    return invalid(workdir, `does not exist (resolved to ${wanted})`, 'exists');
  }
  if (!isInside(root, real)) return escaping(workdir, root);
  return { ok: true, path: real };
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function escaping(workdir: string, root: string): WorkdirResolution {
  return invalid(workdir, `must stay inside the functions root ${root} (NANOFAAS_FUNCTIONS_ROOT)`, 'root');
}

function invalid(workdir: string, problem: string, rule: string): WorkdirResolution {
  return {
    ok: false,
    issue: { field: 'workdir', rule, message: `${problem} (got ${JSON.stringify(workdir)})` },
  };
}
