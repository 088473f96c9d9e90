// Functions of extensions this build lacks fail at once with advice that works offline; none loads or hangs.
// DuckDB-WASM links only core functions; native DuckDB (@duckdb/node-api) links icu, json and parquet statically,
// so on native those work (in UTC, as DuckDB-WASM's time is) and only what needs a download still fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DinobaseDB } from '../db.ts';
import { QueryEngine, isErrorResult, type QueryResult } from '../query/engine.ts';
import { memoryDB } from '../testing.ts';
import { driverFromEnv } from './node.ts';

const linked = driverFromEnv() === 'native';

let db: DinobaseDB;
let engine: QueryEngine;

beforeAll(async () => {
  db = memoryDB();
  engine = new QueryEngine(db);
  await db.run('CREATE SCHEMA demo');
  await db.run(`CREATE TABLE demo.events AS SELECT i AS id, 1700000000 + i * 86400 AS created,
    '{"plan":"pro"}' AS payload FROM range(3) r(i)`);
});
afterAll(() => db.close());

async function failure(sql: string): Promise<{ error: string; code?: string }> {
  const result = await engine.execute(sql);
  if (!isErrorResult(result)) throw new Error(`expected an error from ${sql}, got ${JSON.stringify(result)}`);
  return result;
}

async function rows(sql: string): Promise<QueryResult['rows']> {
  const result = await engine.execute(sql);
  if (isErrorResult(result)) throw new Error(`${sql}: ${result.error}`);
  return (result as QueryResult).rows;
}

describe('extensions this offline build lacks', () => {
  it('time-zone functions say to cast to TIMESTAMP, and that works', async () => {
    const needIcu = [
      "SELECT date_trunc('day', to_timestamp(1700000000)) AS d",
      "SELECT strftime(to_timestamp(created), '%Y-%m') AS m FROM demo.events",
      "SELECT date_part('hour', to_timestamp(created)) AS h FROM demo.events",
      "SELECT date_trunc('month', now()) AS m",
    ];
    for (const sql of linked ? [] : needIcu) {
      const { error, code } = await failure(sql);
      expect(code, `${sql}: ${error}`).toBe('extension_unavailable');
      expect(error, sql).toContain('icu extension');
      expect(error, sql).toContain("date_trunc('day', to_timestamp(created)::TIMESTAMP)");
    }
    expect(
      await rows(
        "SELECT strftime(date_trunc('day', to_timestamp(created)::TIMESTAMP), '%Y-%m-%d %H:%M') AS d, strftime(make_timestamp(created::BIGINT * 1000000), '%Y-%m-%d %H:%M') AS s FROM demo.events ORDER BY id LIMIT 1",
      ),
    ).toEqual([{ d: '2023-11-14 00:00', s: '2023-11-14 22:13' }]);
    if (linked) {
      // Native DuckDB links icu; its session zone is pinned to UTC, so the answers are DuckDB-WASM's after a cast.
      expect(await rows(needIcu[0]!)).toEqual([{ d: '2023-11-14 00:00:00+00' }]);
      expect(await rows(`${needIcu[2]!} ORDER BY id LIMIT 1`)).toEqual([{ h: 22 }]);
    }
    // What works without icu keeps working.
    expect(await rows('SELECT epoch(to_timestamp(1700000000)::TIMESTAMP) AS e')).toEqual([{ e: 1700000000 }]);
  });

  it('JSON functions say what to use instead', async () => {
    const needJson = [
      `SELECT json_extract(payload, '$.plan') AS p FROM demo.events`,
      `SELECT payload::JSON AS j FROM demo.events`,
      `SELECT payload->>'plan' AS p FROM demo.events`,
      `SELECT * FROM read_json('events.json')`,
    ];
    if (linked) {
      expect(await rows(`${needJson[0]!} ORDER BY id LIMIT 1`)).toEqual([{ p: '"pro"' }]);
      return;
    }
    for (const sql of needJson) {
      const { error, code } = await failure(sql);
      expect(code, `${sql}: ${error}`).toBe('extension_unavailable');
      expect(error, sql).toMatch(/json extension.*not available/s);
      expect(error, sql).toContain('regexp_extract');
    }
  });

  it('Parquet says to export CSV instead', async () => {
    for (const sql of [
      `SELECT * FROM read_parquet('x.parquet')`,
      `SELECT * FROM parquet_scan('x.parquet')`,
    ]) {
      const { error, code } = await failure(sql);
      if (linked) {
        // Parquet is linked natively, so what stops this read is the lockdown: the file is not one it was given.
        expect(code, `${sql}: ${error}`).toBe('refused');
        continue;
      }
      expect(code, `${sql}: ${error}`).toBe('extension_unavailable');
      expect(error, sql).toContain('Export CSV');
    }
    if (linked) return;
    const conn = await db.connect();
    try {
      await expect(
        conn.query(`COPY demo.events TO '/dinobase/files/out.parquet' (FORMAT parquet)`),
      ).rejects.toMatchObject({
        code: 'extension_unavailable',
        message: expect.stringContaining('Export CSV'),
      });
    } finally {
      await conn.close();
    }
  });
});
