import { API_KEY_ROLES, type ApiKeyRole } from '@nanofaas/contracts';
import { ConfigError, type EnvReader } from './env-reader.js';

export { API_KEY_ROLES, type ApiKeyRole };

export interface ApiKeyEntry {
  readonly key: string;
  readonly role: ApiKeyRole;
}

/**
 * How callers authenticate (docs/security.md):
 * - `keys`: the keys of NANOFAAS_API_KEYS;
 * - `generated`: no keys configured, so the control plane uses an admin key of its own, created on
 *   the first start and kept in `<data dir>/admin.key` (mode 0600) — secure by default;
 * - `off`: NANOFAAS_AUTH=off, the explicit single-user opt-out (logged as a warning at start).
 */
export type SecurityConfig =
  | { readonly auth: 'keys'; readonly apiKeys: readonly ApiKeyEntry[] }
  | { readonly auth: 'generated'; readonly apiKeys: readonly [] }
  | { readonly auth: 'off'; readonly apiKeys: readonly [] };

const KEYS = 'NANOFAAS_API_KEYS';
const AUTH = 'NANOFAAS_AUTH';

/** `NANOFAAS_API_KEYS="s3cret-admin-key:admin,other-key:invoke"`, `NANOFAAS_AUTH=on|off`. */
export function loadSecurityConfig(env: EnvReader): SecurityConfig {
  const auth = env.oneOf(AUTH, ['on', 'off'] as const, 'on');
  const value = env.raw(KEYS);
  if (auth === 'off') {
    if (value !== undefined) throw new ConfigError(AUTH, `is "off" but ${KEYS} is set: choose one`);
    return { auth: 'off', apiKeys: [] };
  }
  if (value === undefined) return { auth: 'generated', apiKeys: [] };
  const apiKeys = value.split(',').map((entry, index): ApiKeyEntry => {
    const separator = entry.lastIndexOf(':');
    const key = entry.slice(0, separator).trim();
    const role = entry.slice(separator + 1).trim();
    if (separator < 0 || !API_KEY_ROLES.some((known) => known === role)) {
      throw new ConfigError(KEYS, `entry ${index + 1} must be "<key>:admin" or "<key>:invoke"`);
    }
    if (key.length < 16 || /\s/.test(key)) {
      throw new ConfigError(KEYS, `entry ${index + 1}: keys must be at least 16 characters, no spaces`);
    }
    return { key, role: role as ApiKeyRole };
  });
  return { auth: 'keys', apiKeys };
}
