import { resolve } from 'node:path';
import type { Env, EnvReader } from './env-reader.js';
import { type KubernetesBackendConfig, loadKubernetesBackendConfig } from './kubernetes-backend-config.js';
import { type LocalBackendConfig, loadLocalBackendConfig } from './local-backend-config.js';
import { loadStoreConfig } from './store-config.js';

export const BACKEND_KINDS = ['local', 'pool', 'kubernetes'] as const;
/** Which Backend runs functions (NANOFAAS_BACKEND). */
export type BackendKind = (typeof BACKEND_KINDS)[number];

/** The selected backend and only its own settings: one case per implementation. */
export type BackendConfig =
  | {
      readonly kind: 'local';
      /** NANOFAAS_LOCAL_*, NANOFAAS_WATCHDOG_PATH, NANOFAAS_FUNCTIONS_ROOT. */
      readonly local: LocalBackendConfig;
    }
  | { readonly kind: 'pool' }
  | {
      readonly kind: 'kubernetes';
      /** NANOFAAS_K8S_*. */
      readonly kubernetes: KubernetesBackendConfig;
    };

/** Backend selection; each backend's settings are read only when it is the one selected. */
export function loadBackendConfig(_env: Env, reader: EnvReader, cwd: string): BackendConfig {
  const kind = reader.oneOf('NANOFAAS_BACKEND', BACKEND_KINDS, 'local');
  switch (kind) {
    case 'local':
      return { kind, local: loadLocalBackendConfig(reader, cwd, privateDataDir(reader, cwd)) };
    case 'pool':
      return { kind };
    case 'kubernetes':
      return { kind, kubernetes: loadKubernetesBackendConfig(reader) };
    default: {
      const unknown: never = kind;
      throw new Error(`unknown backend ${String(unknown)}`);
    }
  }
}

/** The data dir, which no function may see (empty for ":memory:"). */
function privateDataDir(reader: EnvReader, cwd: string): string[] {
  const { dataDir } = loadStoreConfig(reader);
  return dataDir === ':memory:' ? [] : [resolve(cwd, dataDir)];
}
