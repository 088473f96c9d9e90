// QueryEngine.execute on native DuckDB vs raw @duckdb/node-api, and on DuckDB-WASM vs native: group-by and a wide read.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DinobaseDB } from '../worker/db.ts';
import { openWith, type DriverName } from '../worker/duckdb/node.ts';
import { QueryEngine, isErrorResult } from '../worker/query/engine.ts';
import { median, ms, type Row } from './stats.ts';

const CREATE_GROUPS =
  'CREATE TABLE t AS SELECT i, i % 1000 AS g, (i * 7919) % 10007 AS v FROM range(1000000) r(i)';
const GROUP_BY = 'SELECT g, count(*) AS n, sum(v) AS s, avg(i) AS a FROM t GROUP BY g ORDER BY g';
/** Ten columns of the types synced tables hold: ids, text, numbers, DECIMAL, BIGINT, dates, timestamps, BOOLEAN. */
const CREATE_WIDE = `CREATE TABLE w AS SELECT i AS id, 'cus_' || md5(i::VARCHAR)[:14] AS ref, 'Customer ' || i AS name,
  i * 1.5 AS amount, (i % 100)::DECIMAL(10, 2) AS price, (i * 104729)::BIGINT AS big, i % 7 AS k,
  DATE '2024-01-01' + (i % 365)::INTEGER AS d, TIMESTAMP '2024-01-01' + to_seconds(i * 37) AS ts, i % 2 = 0 AS flag
  FROM range(10000) r(i)`;
const WIDE = 'SELECT * FROM w ORDER BY id';
const CASES = [
  { name: '1M-row group-by (1,000 rows back)', sql: GROUP_BY, rows: 1000 },
  { name: '10k-row × 10-col read', sql: WIDE, rows: 10_000 },
];
const RUNS = 15;

/** Medians of `a` and `b`, run alternately after a warm-up, so a change in the machine's load hits both alike. */
export async function pair(a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<[number, number]> {
  const ta: number[] = [];
  const tb: number[] = [];
  const timed = async (run: () => Promise<unknown>, out: number[]) => {
    const started = performance.now();
    await run();
    out.push(performance.now() - started);
  };
  for (let i = 0; i < 3; i++) {
    await a();
    await b();
  }
  for (let i = 0; i < RUNS; i++) {
    if (i % 2) {
      await timed(a, ta);
      await timed(b, tb);
    } else {
      await timed(b, tb);
      await timed(a, ta);
    }
  }
  return [median(ta), median(tb)];
}

async function engineOn(driver: DriverName): Promise<{ db: DinobaseDB; engine: QueryEngine }> {
  const db = new DinobaseDB(':memory:', { open: openWith(driver) });
  await db.run(CREATE_GROUPS);
  await db.run(CREATE_WIDE);
  return { db, engine: new QueryEngine(db) };
}

/** What execute returns (JSON-safe row objects), through the engine, checked for the row count. */
function viaEngine(engine: QueryEngine, sql: string, rows: number): () => Promise<void> {
  return async () => {
    const result = await engine.execute(sql, { maxRows: rows });
    if (isErrorResult(result) || !('rows' in result) || result.rows.length !== rows)
      throw new Error(`execute(${sql}) did not return ${rows} rows`);
  };
}

/** The same with node-api alone: run, read every chunk, and give JSON-safe row objects (its own converter). */
function viaNodeApi(conn: DuckDBConnection, sql: string, rows: number): () => Promise<void> {
  return async () => {
    const reader = await conn.runAndReadAll(sql);
    if (reader.getRowObjectsJson().length !== rows)
      throw new Error(`node-api: ${sql} did not return ${rows}`);
  };
}

const ratioRow = (benchmark: string, ours: number, base: number, goal: string, ok: boolean | null): Row => ({
  benchmark,
  ours: ms(ours),
  baseline: ms(base),
  ratio: `${(ours / base).toFixed(2)}×`,
  goal,
  verdict: ok === null ? '-' : ok ? 'yes' : 'no',
});

export async function benchDrivers(): Promise<Row[]> {
  const rows: Row[] = [];
  const instance = await DuckDBInstance.create(':memory:');
  const raw = await instance.connect();
  await raw.run(CREATE_GROUPS);
  await raw.run(CREATE_WIDE);
  const native = await engineOn('native');
  const wasm = await engineOn('wasm');
  try {
    for (const c of CASES) {
      const [ours, base] = await pair(
        viaEngine(native.engine, c.sql, c.rows),
        viaNodeApi(raw, c.sql, c.rows),
      );
      rows.push(
        ratioRow(
          `${c.name}: QueryEngine.execute on native vs raw node-api (getRowObjectsJson)`,
          ours,
          base,
          '≤ 1.10×',
          ours / base <= 1.1,
        ),
      );
    }
    for (const c of CASES) {
      const [onWasm, onNative] = await pair(
        viaEngine(wasm.engine, c.sql, c.rows),
        viaEngine(native.engine, c.sql, c.rows),
      );
      rows.push(
        ratioRow(`${c.name}: QueryEngine.execute on DuckDB-WASM vs native`, onWasm, onNative, 'report', null),
      );
    }
  } finally {
    raw.closeSync();
    instance.closeSync();
    await native.db.close();
    await wasm.db.close();
  }
  return rows;
}
