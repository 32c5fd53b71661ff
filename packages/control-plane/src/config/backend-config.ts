import { resolve } from 'node:path';
import type { Env, EnvReader } from './env-reader.js';
import { type LocalBackendConfig, loadLocalBackendConfig } from './local-backend-config.js';
import { loadStoreConfig } from './store-config.js';

export const BACKEND_KINDS = ['local', 'pool'] as const;
/** Which Backend runs functions (NANOFAAS_BACKEND). */
export type BackendKind = (typeof BACKEND_KINDS)[number];

export interface BackendConfig {
  readonly kind: BackendKind;
  /** Settings of the local backend (NANOFAAS_LOCAL_*, NANOFAAS_WATCHDOG_PATH, NANOFAAS_FUNCTIONS_ROOT). */
  readonly local: LocalBackendConfig;
}

/** Backend selection; a backend with settings of its own adds them here from its own config file. */
export function loadBackendConfig(_env: Env, reader: EnvReader, cwd: string): BackendConfig {
  return {
    kind: reader.oneOf('NANOFAAS_BACKEND', BACKEND_KINDS, 'local'),
    local: loadLocalBackendConfig(reader, cwd, privateDataDir(reader, cwd)),
  };
}

/** The data dir, which no function may see (empty for ":memory:"). */
function privateDataDir(reader: EnvReader, cwd: string): string[] {
  const { dataDir } = loadStoreConfig(reader);
  return dataDir === ':memory:' ? [] : [resolve(cwd, dataDir)];
}
