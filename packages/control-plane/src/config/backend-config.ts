import type { Env, EnvReader } from './env-reader.js';

export const BACKEND_KINDS = ['pool'] as const;
/** Which Backend runs functions (NANOFAAS_BACKEND). */
export type BackendKind = (typeof BACKEND_KINDS)[number];

export interface BackendConfig {
  readonly kind: BackendKind;
}

/** Backend selection; a backend with settings of its own adds them here from its own config file. */
export function loadBackendConfig(_env: Env, reader: EnvReader, _cwd: string): BackendConfig {
  return { kind: reader.oneOf('NANOFAAS_BACKEND', BACKEND_KINDS, 'pool') };
}
