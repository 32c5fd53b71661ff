import type { Database } from 'better-sqlite3';

/** Schema versions in order; a database is brought to the last one at open. Never edit a shipped one. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE functions (
     name TEXT PRIMARY KEY,
     spec TEXT NOT NULL,
     revision INTEGER NOT NULL,
     replicas INTEGER,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE executions (
     id TEXT PRIMARY KEY,
     function_name TEXT NOT NULL,
     kind TEXT NOT NULL,
     status TEXT NOT NULL,
     attempt INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     started_at INTEGER,
     finished_at INTEGER,
     output TEXT,
     error TEXT,
     cold_start INTEGER,
     trace_id TEXT NOT NULL,
     request TEXT,
     callback_url TEXT,
     webhook_pending INTEGER NOT NULL DEFAULT 0,
     expires_at INTEGER
   );
   CREATE INDEX executions_active ON executions (status) WHERE status IN ('queued', 'running');
   CREATE INDEX executions_expiry ON executions (expires_at) WHERE expires_at IS NOT NULL;
   CREATE INDEX executions_by_function ON executions (function_name, created_at);
   CREATE INDEX executions_by_created ON executions (created_at);
   CREATE INDEX executions_webhooks ON executions (webhook_pending) WHERE webhook_pending = 1;
   CREATE TABLE idempotency_keys (
     function_name TEXT NOT NULL,
     key TEXT NOT NULL,
     request_hash TEXT NOT NULL,
     execution_id TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     PRIMARY KEY (function_name, key)
   );
   CREATE INDEX idempotency_expiry ON idempotency_keys (expires_at);`,
  'ALTER TABLE executions ADD COLUMN init_duration_ms INTEGER;',
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Applies every migration newer than the database's `user_version`, each in its own transaction. */
export function migrate(db: Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `the database has schema version ${current}, newer than this control plane knows (${MIGRATIONS.length})`,
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
