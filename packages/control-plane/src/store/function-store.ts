import type { ResolvedFunctionSpec } from '@nanofaas/contracts';
import type { Database, Statement } from 'better-sqlite3';

/** A registered function as stored. */
export interface FunctionRecord {
  readonly spec: ResolvedFunctionSpec;
  readonly revision: number;
  /** Pinned by PUT /v1/functions/{name}/replicas; null lets the backend autoscale. */
  readonly replicas: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

interface FunctionRow {
  name: string;
  spec: string;
  revision: number;
  replicas: number | null;
  created_at: number;
  updated_at: number;
}

/** Functions in SQLite; every write commits at once (registration is rare and must survive a crash). */
export class FunctionStore {
  private readonly upsertStatement: Statement;
  private readonly deleteStatement: Statement;

  constructor(private readonly db: Database) {
    this.upsertStatement = db.prepare(
      `INSERT INTO functions (name, spec, revision, replicas, created_at, updated_at)
       VALUES (@name, @spec, @revision, @replicas, @created_at, @updated_at)
       ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, revision = excluded.revision,
         replicas = excluded.replicas, updated_at = excluded.updated_at`,
    );
    this.deleteStatement = db.prepare('DELETE FROM functions WHERE name = ?');
  }

  list(): FunctionRecord[] {
    const rows = this.db.prepare('SELECT * FROM functions ORDER BY name').all() as FunctionRow[];
    return rows.map((row) => ({
      spec: JSON.parse(row.spec) as ResolvedFunctionSpec,
      revision: row.revision,
      replicas: row.replicas,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }));
  }

  save(record: FunctionRecord): void {
    this.upsertStatement.run({
      name: record.spec.name,
      spec: JSON.stringify(record.spec),
      revision: record.revision,
      replicas: record.replicas,
      created_at: record.createdAt,
      updated_at: record.updatedAt,
    });
  }

  delete(name: string): void {
    this.deleteStatement.run(name);
  }
}
