import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { StoreConfig } from '../config/store-config.js';
import { migrate } from './migrations.js';

export const DATABASE_FILE = 'nanofaas.db';

export interface OpenedDatabase {
  readonly db: Database.Database;
  /** The file, or undefined for ":memory:". */
  readonly file: string | undefined;
  /** The data directory (mode 0700), or undefined for ":memory:". */
  readonly dir: string | undefined;
}

/**
 * Opens (creating if needed) the one SQLite file of the control plane, in WAL mode, migrated.
 * Checkpoints are left to a WalCheckpointer (off the event loop) when the database is a file.
 */
export function openDatabase(config: StoreConfig, cwd: string): OpenedDatabase {
  let location = ':memory:';
  let dir: string | undefined;
  if (config.dataDir !== ':memory:') {
    dir = resolve(cwd, config.dataDir);
    location = join(dir, DATABASE_FILE);
    restrictToOwner(dir, location);
  }
  const db = new Database(location);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  if (location !== ':memory:') db.pragma('wal_autocheckpoint = 0');
  migrate(db);
  return { db, file: location === ':memory:' ? undefined : location, dir };
}

/**
 * The data dir is 0700 and the database 0600 (created so before SQLite opens it; SQLite gives its
 * -wal and -shm files the database file's mode): only the control plane's user reads executions,
 * payloads and keys (docs/security.md).
 */
function restrictToOwner(dir: string, file: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(path)) chmodSync(path, 0o600);
}
