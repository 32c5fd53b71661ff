import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** The generated admin key's file in the data dir (docs/security.md, "API keys"). */
export const ADMIN_KEY_FILE = 'admin.key';

export interface AdminKey {
  readonly key: string;
  /** Where it is kept; undefined when the data dir is ":memory:" (the key lives as long as the process). */
  readonly path: string | undefined;
  /** True when this start created it. */
  readonly created: boolean;
}

/**
 * The admin key of a control plane started without NANOFAAS_API_KEYS: read from
 * `<dataDir>/admin.key`, or generated (32 random bytes, base64url) and written there with mode 0600
 * on the first start. The file is created exclusively, so two processes never hold different keys.
 */
export function loadOrCreateAdminKey(dataDir: string | undefined): AdminKey {
  if (dataDir === undefined) return { key: generateKey(), path: undefined, created: true };
  const path = join(dataDir, ADMIN_KEY_FILE);
  const existing = readKey(path);
  if (existing !== undefined) return { key: existing, path, created: false };
  const key = generateKey();
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    // Created meanwhile by another start: use that one.
    const raced = (error as NodeJS.ErrnoException).code === 'EEXIST' ? readKey(path) : undefined;
    if (raced !== undefined) return { key: raced, path, created: false };
    throw error;
  }
  try {
    writeSync(fd, `${key}\n`);
  } finally {
    closeSync(fd);
  }
  return { key, path, created: true };
}

function readKey(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const key = text.trim();
  if (key.length < 16 || /\s/.test(key)) {
    throw new Error(
      `${path} does not hold a valid key (≥ 16 characters, no spaces): delete it to generate a new one`,
    );
  }
  // A key file someone loosened is tightened again: only the control plane's user may read it.
  chmodSync(path, 0o600);
  return key;
}

function generateKey(): string {
  return randomBytes(32).toString('base64url');
}
