import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { StoreConfig } from '../config/store-config.js';

export const CALLBACK_KEY_FILE = 'callback.key';
const KEY_BYTES = 32;

/**
 * The key callback tokens are derived from (HMAC of execution id and attempt): kept in the data
 * directory (mode 0600, created on first start) so that a one-shot run that outlives its control
 * plane — a Kubernetes Job does — can still report to the next one. A ":memory:" store gets a
 * fresh key: nothing of it survives a restart anyway.
 */
export function loadCallbackKey(config: Pick<StoreConfig, 'dataDir'>, cwd: string): Buffer {
  if (config.dataDir === ':memory:') return randomBytes(KEY_BYTES);
  const dir = resolve(cwd, config.dataDir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, CALLBACK_KEY_FILE);
  try {
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, randomBytes(KEY_BYTES).toString('hex'));
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const text = readFileSync(path, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(text)) {
    throw new Error(`${path} is not a callback key (64 hex digits); remove it to generate a new one`);
  }
  return Buffer.from(text, 'hex');
}
