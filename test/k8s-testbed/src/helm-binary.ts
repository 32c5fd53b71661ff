import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
export const helmBuildScriptPath = join(packageRoot, 'scripts', 'build-helm.sh');

/**
 * Builds the pinned helm CLI from its Go module on first use (scripts/build-helm.sh, a few
 * minutes) and returns its path; instant once it is cached.
 */
export async function ensureHelm(): Promise<string> {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile('bash', [helmBuildScriptPath], { maxBuffer: 1 << 20 }, (error, out, err) => {
      if (error) reject(new Error(`${helmBuildScriptPath} failed: ${err.slice(-4000) || error.message}`));
      else resolve(out);
    });
  });
  const path = stdout.trim().split('\n').pop() ?? '';
  if (!existsSync(path)) throw new Error(`${helmBuildScriptPath} reported "${path}", which does not exist`);
  return path;
}
