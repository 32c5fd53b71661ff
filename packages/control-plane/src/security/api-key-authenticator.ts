import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKeyEntry, ApiKeyRole } from '../config/security-config.js';

/** Checks `Authorization: Bearer <key>` against the configured keys in constant time. */
export class ApiKeyAuthenticator {
  private readonly keys: ReadonlyArray<{ digest: Buffer; role: ApiKeyRole }>;

  constructor(keys: readonly ApiKeyEntry[]) {
    this.keys = keys.map(({ key, role }) => ({ digest: digest(key), role }));
  }

  get enabled(): boolean {
    return this.keys.length > 0;
  }

  /** The role of the presented key, or undefined when it is missing or unknown. */
  roleOf(authorization: string | undefined): ApiKeyRole | undefined {
    const key = bearerToken(authorization);
    if (key === undefined) return undefined;
    const presented = digest(key);
    let role: ApiKeyRole | undefined;
    // Compare with every key (no early exit) so timing says nothing about which one matched.
    for (const entry of this.keys) if (timingSafeEqual(presented, entry.digest)) role ??= entry.role;
    return role;
  }
}

export function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
