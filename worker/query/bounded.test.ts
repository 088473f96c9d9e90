// Big reads stay bounded (issue 13, P7): only the rows maxRows shows leave DuckDB, and total_rows stays exact.
import { tableFromIPC } from 'apache-arrow';
import { tableFromResultIPC } from '../../common/arrow.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DinobaseDB } from '../db.ts';
import type { DuckConnection } from '../duckdb/index.ts';
import { ManualClock } from '../testing.ts';
import { isErrorResult, QueryEngine, type QueryResult } from './engine.ts';

/** Counts the rows of every Arrow result the query engine's connections receive from DuckDB. */
class RowCountingDB extends DinobaseDB {
  received = 0;
  override async connect(): Promise<DuckConnection> {
    const conn = await super.connect();
    const seen = <T extends { numRows: number }>(table: T): T => ((this.received += table.numRows), table);
    return {
      query: async (sql, options) => seen(await conn.query(sql, options)),
      queryIPC: async (sql, options) => {
        const bytes = await conn.queryIPC(sql, options);
        seen(tableFromIPC(bytes));
        return bytes;
      },
      queryHead: async (sql, options) => {
        const head = await conn.queryHead(sql, options);
        seen(head.table);
        return head;
      },
      queryBatches: (sql, options) =>
        conn.queryBatches(sql, { ...options, onBatch: (batch) => options.onBatch(seen(batch)) }),
      queryParams: (sql, params) => conn.queryParams(sql, params),
      insertArrow: (table, target) => conn.insertArrow(table, target),
      insertJSONFromPath: (path, target) => conn.insertJSONFromPath(path, target),
      close: () => conn.close(),
    };
  }
}

const db = new RowCountingDB(':memory:', { clock: new ManualClock() });
let engine: QueryEngine;

beforeAll(async () => {
  engine = new QueryEngine(db);
  await db.run('CREATE SCHEMA big');
  await db.run('CREATE TABLE big.t AS SELECT range AS i, range % 7 AS k FROM range(3000000)');
  await db.run("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')");
  await db.run(
    "CREATE TABLE big.moods AS SELECT i, (ARRAY['sad', 'ok', 'happy'])[i % 3 + 1]::mood AS m FROM range(5000) r(i)",
  );
});
afterAll(() => db.close());

async function ok(sql: string, options = {}): Promise<QueryResult> {
  const result = await engine.execute(sql, options);
  if (isErrorResult(result)) throw new Error(result.error);
  return result as QueryResult;
}

/** At most a few DuckDB chunks (2048 rows) past the head leave DuckDB, never the whole result. */
const BOUND = 200 + 4 * 2048;

describe('bounded reads', () => {
  it('reads a 3M-row table as its first maxRows rows with the exact total', async () => {
    db.received = 0;
    const result = await ok('SELECT * FROM big.t');
    expect(result.rows.length).toBe(200);
    expect(result.rows[0]).toEqual({ i: 0, k: 0 });
    expect(result).toMatchObject({ row_count: 200, total_rows: 3_000_000, truncated: true });
    expect(result.message).toBe(
      'Showing 200 of 3000000 rows. Use LIMIT N OFFSET M to paginate (e.g., LIMIT 200 OFFSET 200 for page 2), ' +
        'or add a WHERE clause to narrow results.',
    );
    expect(db.received).toBeLessThan(BOUND);
  });

  it('keeps the order and total of a filtered, ordered read, and of the grid form', async () => {
    db.received = 0;
    const result = await ok(
      'WITH x AS (SELECT * FROM big.t WHERE k = 3) SELECT i FROM x ORDER BY i DESC -- last',
      {
        maxRows: 3,
      },
    );
    expect(result.rows).toEqual([{ i: 2999993 }, { i: 2999986 }, { i: 2999979 }]);
    expect(result.total_rows).toBe(428571);
    const arrow = await engine.executeArrow('FROM big.t', { maxRows: 5 });
    if (isErrorResult(arrow) || !('ipc' in arrow)) throw new Error('expected arrow');
    expect(tableFromIPC(arrow.ipc).numRows).toBe(5);
    expect(arrow).toMatchObject({ row_count: 5, total_rows: 3_000_000, truncated: true });
    expect(db.received).toBeLessThan(2 * BOUND);
  });

  it('returns results that fit exactly, at and around the boundary', async () => {
    for (const [n, truncated] of [
      [199, false],
      [200, false],
      [201, true],
    ] as const) {
      const result = await ok(`SELECT i FROM big.t WHERE i < ${n}`);
      expect(result.rows.length).toBe(Math.min(n, 200));
      expect(result.total_rows).toBe(n);
      expect(result.truncated).toBe(truncated ? true : undefined);
    }
    expect((await ok('VALUES (1), (2)', { maxRows: 1 })).total_rows).toBe(2);
  });

  it.each([
    ['TABLE big.moods', 5000],
    ['FROM big.moods WHERE i < 3', 3],
    ['VALUES (1), (2), (3)', 3],
    ['WITH x AS (SELECT 1 AS a UNION ALL SELECT 2) SELECT * FROM x', 2],
    ['WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 9) FROM n', 9],
    ['(SELECT 1 AS a) UNION ALL (SELECT 2) ORDER BY 1', 2],
    ['SELECT 1 AS a, 2 AS a UNION ALL SELECT 3, 4', 2],
    ['SELECT * FROM big.t LIMIT 5 OFFSET 2 -- a comment', 5],
    ['SELECT i FROM big.t USING SAMPLE 10 ROWS', 10],
  ])('counts %s as a subquery', async (sql, total) => {
    const result = await ok(sql, { maxRows: 1 });
    expect(result).toMatchObject({ row_count: 1, total_rows: total, truncated: true });
  });

  it('returns the last statement of a script, bounded', async () => {
    db.received = 0;
    const result = await ok('SELECT 1; SELECT * FROM big.t', { maxRows: 10 });
    expect(result).toMatchObject({ row_count: 10, total_rows: 3_000_000, truncated: true });
    expect(result.message).toMatch(
      /^Ran 2 statements; this is the result of the last\. Showing 10 of 3000000/,
    );
    expect(db.received).toBeLessThan(BOUND);
  });

  it("keeps a statement's own column names, duplicates included, truncated or not", async () => {
    for (const maxRows of [1, 10]) {
      const result = await ok("SELECT i AS a, 'x' || i AS a, i AS a_1 FROM range(3) r(i)", { maxRows });
      expect(result.columns).toEqual(['a', 'a', 'a_1']);
      expect(result.data_types).toEqual({ a: 'VARCHAR', a_1: 'BIGINT' });
      expect(result.total_rows).toBe(3);
      const grid = await engine.executeArrow("SELECT i AS a, 'x' || i AS a FROM range(3) r(i)", { maxRows });
      if (!('ipc' in grid)) throw new Error('expected a grid result');
      const table = tableFromResultIPC(grid.ipc);
      expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(['a:Int64', 'a:Utf8']);
      expect([table.getChildAt(0)!.get(0), table.getChildAt(1)!.get(0)]).toEqual([0n, 'x0']);
      // ENUM columns take DuckDB-WASM's path that reads the head again in one piece.
      const moods = await ok('SELECT m AS a, m AS a FROM big.moods', { maxRows });
      expect(moods.columns).toEqual(['a', 'a']);
      expect(moods.total_rows).toBe(5000);
    }
  });

  it('says errors in terms of the statement as written', async () => {
    const result = await engine.execute('SELECT i FROM big.t\nWHERE nope > 1');
    expect(isErrorResult(result) && result.error).toMatch(/"nope" not found[\s\S]*LINE 2: WHERE nope > 1/);
    const syntax = await engine.execute('SELECT 1 +');
    expect(isErrorResult(syntax) && syntax.error).toMatch(/^Parser Error: syntax error at end of input/);
  });

  it('decodes ENUM columns of a truncated read', async () => {
    const result = await ok('SELECT * FROM big.moods ORDER BY i', { maxRows: 4 });
    expect(result.rows).toEqual([
      { i: 0, m: 'sad' },
      { i: 1, m: 'ok' },
      { i: 2, m: 'happy' },
      { i: 3, m: 'sad' },
    ]);
    expect(result).toMatchObject({ total_rows: 5000, data_types: { m: 'VARCHAR' } });
  });

  it('counts statements DuckDB cannot take as a subquery by streaming them', async () => {
    db.received = 0;
    const result = await ok(
      'PIVOT (SELECT i, i % 2 AS p FROM range(5000) r(i)) ON p USING sum(i) GROUP BY i ORDER BY i',
      { maxRows: 3 },
    );
    expect(result.rows.map((r) => r.i)).toEqual([0, 1, 2]);
    expect(result).toMatchObject({ total_rows: 5000, truncated: true });
    expect(db.received).toBeLessThan(BOUND);
  });

  it('times out while counting, and stays usable', async () => {
    // The head fills at once; the count must evaluate md5 for every row.
    const result = await engine.execute("SELECT * FROM range(3000000000) r(i) WHERE md5(i::VARCHAR) < 'f'", {
      timeoutMs: 300,
    });
    expect(isErrorResult(result) && result.error).toBe('Query interrupted: timed out after 300 ms');
    expect((await ok('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('cancels while the head is read', async () => {
    const controller = new AbortController();
    // Rows match rarely, so filling the head takes long.
    const pending = engine.execute(
      "SELECT * FROM range(3000000000) r(i) WHERE md5(i::VARCHAR) LIKE 'fffff%'",
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(new Error('cancelled by the user')), 200);
    const result = await pending;
    expect(isErrorResult(result) && result.error).toBe('Query interrupted: cancelled by the user');
    expect((await ok('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
  });
});
