import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { StoreConfig } from '../config/store-config.js';
import { migrate } from './migrations.js';

export const DATABASE_FILE = 'nanofaas.db';

export interface OpenedDatabase {
  readonly db: Database.Database;
  /** The file, or undefined for ":memory:". */
  readonly file: string | undefined;
}

/**
 * Opens (creating if needed) the one SQLite file of the control plane, in WAL mode, migrated.
 * Checkpoints are left to a WalCheckpointer (off the event loop) when the database is a file.
 */
export function openDatabase(config: StoreConfig, cwd: string): OpenedDatabase {
  let location = ':memory:';
  if (config.dataDir !== ':memory:') {
    const dir = resolve(cwd, config.dataDir);
    mkdirSync(dir, { recursive: true });
    location = join(dir, DATABASE_FILE);
  }
  const db = new Database(location);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  if (location !== ':memory:') db.pragma('wal_autocheckpoint = 0');
  migrate(db);
  return { db, file: location === ':memory:' ? undefined : location };
}
