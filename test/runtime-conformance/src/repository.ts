import { fileURLToPath } from 'node:url';

/** The repository root and paths under it. */
export const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

export function repositoryPath(...parts: string[]): string {
  return [repositoryRoot.replace(/\/$/, ''), ...parts].join('/');
}

export const WATCHDOG = repositoryPath('watchdog/dist/watchdog');
