import { ConfigError, type EnvReader } from './env-reader.js';

export const API_KEY_ROLES = ['admin', 'invoke'] as const;
/** admin manages functions; invoke only invokes and reads executions. */
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

export interface ApiKeyEntry {
  readonly key: string;
  readonly role: ApiKeyRole;
}

export interface SecurityConfig {
  /** Empty: the API is open (it listens on loopback by default). */
  readonly apiKeys: readonly ApiKeyEntry[];
}

const VARIABLE = 'NANOFAAS_API_KEYS';

/** `NANOFAAS_API_KEYS="s3cret-admin-key:admin,other-key:invoke"`. */
export function loadSecurityConfig(env: EnvReader): SecurityConfig {
  const value = env.raw(VARIABLE);
  if (value === undefined) return { apiKeys: [] };
  const apiKeys = value.split(',').map((entry, index): ApiKeyEntry => {
    const separator = entry.lastIndexOf(':');
    const key = entry.slice(0, separator).trim();
    const role = entry.slice(separator + 1).trim();
    if (separator < 0 || !API_KEY_ROLES.some((known) => known === role)) {
      throw new ConfigError(VARIABLE, `entry ${index + 1} must be "<key>:admin" or "<key>:invoke"`);
    }
    if (key.length < 16 || /\s/.test(key)) {
      throw new ConfigError(VARIABLE, `entry ${index + 1}: keys must be at least 16 characters, no spaces`);
    }
    return { key, role: role as ApiKeyRole };
  });
  return { apiKeys };
}
