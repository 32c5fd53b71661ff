import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';

export interface ApiKeySources {
  /** --api-key. */
  readonly flag: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly url: URL;
}

export interface ResolvedApiKey {
  readonly key: string;
  /** Where it came from, for error hints (never the key itself). */
  readonly source: string;
}

/**
 * The API key, from the first of: --api-key; NANOFAAS_API_KEY; and, only when the URL is on this
 * machine (loopback), the admin key the control plane writes on first start:
 * `$NANOFAAS_DATA_DIR/admin.key` when NANOFAAS_DATA_DIR is set, else `.nanofaas/admin.key` in the
 * working directory or the nearest parent that has one (a function folder inside the folder where
 * `nanofaas up` runs finds it). A key file is never read for a remote URL, so a local admin key
 * cannot leak to another host.
 */
export function resolveApiKey(sources: ApiKeySources): ResolvedApiKey | undefined {
  if (sources.flag !== undefined && sources.flag !== '') return { key: sources.flag, source: '--api-key' };
  const fromEnv = sources.env.NANOFAAS_API_KEY?.trim();
  if (fromEnv !== undefined && fromEnv !== '') return { key: fromEnv, source: 'NANOFAAS_API_KEY' };
  if (!isLoopback(sources.url)) return undefined;
  const dataDir = sources.env.NANOFAAS_DATA_DIR?.trim();
  if (dataDir !== undefined && dataDir !== '')
    return readKeyFile(join(resolve(sources.cwd, dataDir), 'admin.key'));
  for (let dir = resolve(sources.cwd); ; dir = dirname(dir)) {
    const found = readKeyFile(join(dir, '.nanofaas', 'admin.key'));
    if (found !== undefined || dirname(dir) === dir) return found;
  }
}

function readKeyFile(file: string): ResolvedApiKey | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
  return text === '' ? undefined : { key: text, source: file };
}

/** localhost, 127.0.0.0/8 and ::1. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}
