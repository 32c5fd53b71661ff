import { isAbsolute, resolve } from 'node:path';
import type { EnvReader } from './env-reader.js';

/**
 * Where the web dashboard's built files are (served at /ui):
 * - `package`: the `dist` of the installed @nanofaas/dashboard package (the default);
 * - `dir`: NANOFAAS_DASHBOARD_DIR, a directory holding index.html and assets/;
 * - `off`: NANOFAAS_DASHBOARD_DIR=off, no /ui routes.
 */
export type DashboardConfig =
  | { readonly source: 'package' }
  | { readonly source: 'dir'; readonly dir: string }
  | { readonly source: 'off' };

export function loadDashboardConfig(env: EnvReader, cwd: string): DashboardConfig {
  const value = env.raw('NANOFAAS_DASHBOARD_DIR');
  if (value === undefined) return { source: 'package' };
  if (value === 'off') return { source: 'off' };
  return { source: 'dir', dir: isAbsolute(value) ? value : resolve(cwd, value) };
}
