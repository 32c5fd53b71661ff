import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { WriteBatcher } from '../src/store/write-batcher.js';

/**
 * The group-commit batcher on a real SQLite file, watched through a second connection: what that
 * reader sees is what a restarted control plane would find on disk.
 */
describe('WriteBatcher (real SQLite file)', () => {
  let dir: string;
  let db: Database.Database;
  let reader: Database.Database;
  let errors: unknown[];
  let batcher: WriteBatcher;

  const insert = (id: string, value: number) => () => {
    db.prepare('INSERT INTO items (id, value) VALUES (?, ?)').run(id, value);
  };
  const update = (id: string, value: number) => () => {
    db.prepare('UPDATE items SET value = ? WHERE id = ?').run(value, id);
  };
  /** The rows as another connection sees them. */
  const visible = () =>
    Object.fromEntries(
      (
        reader.prepare('SELECT id, value FROM items ORDER BY id').all() as Array<{
          id: string;
          value: number;
        }>
      ).map((row) => [row.id, row.value]),
    );

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nanofaas-batcher-'));
    db = new Database(join(dir, 'db.sqlite'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE items (id TEXT PRIMARY KEY, value INTEGER NOT NULL)');
    reader = new Database(join(dir, 'db.sqlite'), { readonly: true });
    errors = [];
    batcher = new WriteBatcher(db, (error) => errors.push(error), 'full', undefined, 5);
  });

  afterEach(() => {
    batcher.close();
    reader.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits the writes of one turn together: all of them are on disk when the first resolves', async () => {
    const commits = ['a', 'b', 'c', 'd'].map((id, i) => batcher.commit(insert(id, i)));
    assert.deepEqual(visible(), {}, 'nothing is written before the batch commits');
    await commits[0];
    assert.deepEqual(visible(), { a: 0, b: 1, c: 2, d: 3 });
    await Promise.all(commits);
  });

  it('keeps deferred writes out of sight until their batch, and commits them within deferMs', async () => {
    batcher.defer(insert('late', 1));
    assert.deepEqual(visible(), {});
    const until = Date.now() + 20_000;
    while (visible()['late'] === undefined) {
      assert.ok(Date.now() < until, 'the deferred write was never committed');
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(visible(), { late: 1 });
  });

  it("runs a deferred write's callback once it is committed", async () => {
    const committed = new Promise<Record<string, number>>((resolve) =>
      batcher.defer(insert('x', 1), () => resolve(visible())),
    );
    assert.deepEqual(await committed, { x: 1 }, 'the row is on disk when the callback runs');
  });

  it('keeps order across deferred and committed writes', async () => {
    batcher.defer(insert('k', 1));
    const committed = batcher.commit(update('k', 2));
    batcher.defer(update('k', 3));
    await committed;
    batcher.flush();
    assert.deepEqual(visible(), { k: 3 }, 'the last write wins, as issued');
    // A commit takes the deferred writes before it into its batch.
    batcher.defer(update('k', 4));
    await batcher.commit(insert('after', 5));
    assert.deepEqual(visible(), { after: 5, k: 4 });
  });

  it('fails a write that throws on its own: the rest of its batch commits', async () => {
    await batcher.commit(insert('dup', 1));
    const before = batcher.commit(insert('one', 1));
    const failing = batcher.commit(insert('dup', 2));
    const after = batcher.commit(insert('two', 2));
    batcher.defer(insert('dup', 3));
    await assert.rejects(failing, /UNIQUE constraint failed/);
    await Promise.all([before, after]);
    assert.deepEqual(visible(), { dup: 1, one: 1, two: 2 });
    assert.equal(errors.length, 1, 'a failing deferred write is reported to the error handler');
    assert.match(String(errors[0]), /UNIQUE constraint failed/);
  });

  it('commits what is pending when stopped, and refuses writes after', async () => {
    batcher.defer(insert('pending', 1));
    batcher.close();
    assert.deepEqual(visible(), { pending: 1 }, 'close flushes');
    await assert.rejects(batcher.commit(insert('refused', 2)), /the store is closed/);
    batcher.defer(insert('refused-too', 3));
    assert.match(String(errors.at(-1)), /the store is closed/);
    assert.deepEqual(visible(), { pending: 1 });
  });
});
