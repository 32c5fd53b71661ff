import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { StoreConfig } from '../config/store-config.js';
import { migrate } from './migrations.js';

export const DATABASE_FILE = 'nanofaas.db';

/** Opens (creating if needed) the one SQLite file of the control plane, in WAL mode, migrated. */
export function openDatabase(config: StoreConfig, cwd: string): Database.Database {
  let location = ':memory:';
  if (config.dataDir !== ':memory:') {
    const dir = resolve(cwd, config.dataDir);
    mkdirSync(dir, { recursive: true });
    location = join(dir, DATABASE_FILE);
  }
  const db = new Database(location);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${config.synchronous.toUpperCase()}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}
