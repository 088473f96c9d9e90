// The reads' connection skips the migration check; whatever may touch `_dinobase` or `scratch` waits for it.
import { afterEach, describe, expect, it } from 'vitest';
import type { DinobaseDB } from '../db.ts';
import { MIGRATIONS } from '../meta/migrations.ts';
import { memoryDB } from '../testing.ts';
import { tableToRows } from '../values.ts';
import { isErrorResult, QueryEngine, type QueryResult } from './engine.ts';

let db: DinobaseDB;
afterEach(() => db.close());

/** Whether `_dinobase` exists, read on a connection of its own that runs no migration. */
async function migrated(): Promise<boolean> {
  const conn = await (await db.database()).connect();
  try {
    const rows = tableToRows(
      await conn.query("SELECT count(*) AS n FROM duckdb_schemas() WHERE schema_name = '_dinobase'"),
    );
    return Number(rows[0]!.n) > 0;
  } finally {
    await conn.close();
  }
}

async function ok(engine: QueryEngine, sql: string): Promise<QueryResult> {
  const result = await engine.execute(sql);
  if (isErrorResult(result)) throw new Error(result.error);
  return result as QueryResult;
}

describe('the first read and the migration check', () => {
  it('answers a plain read on a fresh database without migrating it first', async () => {
    db = memoryDB();
    const engine = new QueryEngine(db);
    expect((await ok(engine, 'SELECT 42 AS n')).rows).toEqual([{ n: 42 }]);
    // Nothing runs in the background here: only a call touching `db.conn` migrates, so one read after the answer holds.
    expect(await migrated()).toBe(false);
  });

  it('migrates before a read of `_dinobase`', async () => {
    db = memoryDB();
    const engine = new QueryEngine(db);
    await ok(engine, 'SELECT 1');
    const result = await ok(engine, 'SELECT max(version) AS v FROM _dinobase.schema_version');
    expect(result.rows).toEqual([{ v: MIGRATIONS.at(-1)!.version }]);
  });

  it('migrates before scratch DDL, whose schema a migration creates', async () => {
    db = memoryDB();
    const engine = new QueryEngine(db);
    await ok(engine, 'SELECT 1');
    await ok(engine, 'CREATE TABLE scratch.t AS SELECT 1 AS a');
    expect((await ok(engine, 'SELECT a FROM scratch.t')).rows).toEqual([{ a: 1 }]);
    expect(await migrated()).toBe(true);
  });

  it('answers broken SQL sent before the check with a clear error, and migrates for the next call', async () => {
    db = memoryDB();
    const engine = new QueryEngine(db);
    const broken = await engine.execute('SELECT FROM WHERE');
    expect(isErrorResult(broken) && broken.error).toMatch(/syntax error/i);
    const missing = await engine.execute('SELECT * FROM stripe.nope');
    expect(isErrorResult(missing) && missing.error).toMatch(/nope/);
    const result = await ok(engine, 'SELECT count(*) AS n FROM _dinobase.schema_version');
    expect(Number(result.rows[0]!.n)).toBe(MIGRATIONS.length);
  });
});
