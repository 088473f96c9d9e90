// The wrapping of a bounded read: which reads take their limit as a subquery, and why (DuckDB's plan on both drivers).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DinobaseDB } from '../db.ts';
import { ManualClock, memoryDB } from '../testing.ts';
import { isPlainScan, limitSql } from './head.ts';
import type { DriverName } from './node.ts';

describe('isPlainScan', () => {
  it.each([
    'SELECT * FROM t',
    'select id, upper(name) AS n from s.t',
    'FROM t',
    'FROM t SELECT id',
    'TABLE t',
    'WITH x AS (SELECT * FROM t) SELECT * FROM x',
    'SELECT "order", "where" FROM t -- ORDER BY id',
    "SELECT 'GROUP BY' AS label FROM t",
  ])('takes %s for one table’s columns', (sql) => {
    expect(isPlainScan(sql)).toBe(true);
  });

  it.each([
    'SELECT * FROM t WHERE id > 5',
    'SELECT * FROM t ORDER BY id',
    'SELECT k, count(*) FROM t GROUP BY k',
    'SELECT max(id) FROM t',
    'SELECT * FROM t LIMIT 10',
    'SELECT DISTINCT k FROM t',
    'SELECT * FROM a JOIN b USING (id)',
    'SELECT * FROM a UNION ALL SELECT * FROM b',
    'SELECT row_number() OVER () FROM t',
    'SELECT * FROM t USING SAMPLE 10',
    'SELECT 1',
    'VALUES (1), (2)',
    // Input an agent may send: nothing, an unterminated string, an unclosed comment.
    '',
    "SELECT 'unterminated FROM t",
    'SELECT * /* FROM t',
  ])('leaves %s its constant limit', (sql) => {
    expect(isPlainScan(sql)).toBe(false);
  });
});

describe('limitSql', () => {
  it('gives a plain scan its limit as a subquery and every other read a constant', () => {
    expect(limitSql('SELECT * FROM t', 201)).toBe('SELECT * FROM (\nSELECT * FROM t\n) LIMIT (SELECT 201)');
    expect(limitSql('SELECT * FROM t ORDER BY id', 201)).toBe(
      'SELECT * FROM (\nSELECT * FROM t ORDER BY id\n) LIMIT 201',
    );
  });
});

const DRIVERS: DriverName[] = ['native', 'wasm'];
const dbs = {} as Record<DriverName, DinobaseDB>;

beforeAll(async () => {
  for (const driver of DRIVERS) {
    dbs[driver] = memoryDB(new ManualClock(), driver);
    await dbs[driver].run('CREATE TABLE t AS SELECT i AS id, md5(i::VARCHAR) AS txt FROM range(5000) r(i)');
  }
});
afterAll(async () => {
  for (const driver of DRIVERS) await dbs[driver].close();
});

async function plan(db: DinobaseDB, sql: string): Promise<string> {
  const rows = await db.query(`EXPLAIN ${sql}`);
  return rows.map((row) => String(row.explain_value)).join('\n');
}

describe.each(DRIVERS)('the wrapped head on %s', (driver) => {
  it('escapes the late materialisation DuckDB plans for a constant LIMIT over a scan', async () => {
    const db = dbs[driver];
    // The reason for the subquery: a constant limit above 50 rows over a scan joins a second scan on rowid.
    expect(await plan(db, 'SELECT * FROM (SELECT * FROM t) LIMIT 201')).toMatch(/SEMI/);
    expect(await plan(db, limitSql('SELECT * FROM t', 201))).not.toMatch(/SEMI|HASH_JOIN/);
  });

  it('keeps the Top-N of an ordered read', async () => {
    expect(await plan(dbs[driver], limitSql('SELECT * FROM t ORDER BY id DESC', 201))).toMatch(/TOP_N/);
  });

  it('lets broken SQL fail as DuckDB says, with nothing run', async () => {
    await expect(dbs[driver].query(limitSql('SELECT * FROM t WHERE', 201))).rejects.toThrow(/syntax error/i);
    await expect(dbs[driver].query(limitSql('SELECT * FROM nowhere', 201))).rejects.toThrow(/nowhere/);
  });

  it('returns the rows a constant LIMIT returns, in the same order', async () => {
    const db = dbs[driver];
    const wrapped = await db.query(limitSql('SELECT id, txt FROM t', 201));
    expect(wrapped).toHaveLength(201);
    expect(wrapped).toEqual(await db.query('SELECT id, txt FROM t LIMIT 201'));
    expect(wrapped.map((row) => Number(row.id))).toEqual(Array.from({ length: 201 }, (_, i) => i));
  });
});
