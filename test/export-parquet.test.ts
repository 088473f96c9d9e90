// Parquet exported by the browser's engine (DuckDB-WASM) reads back in native DuckDB with the same values and types, and streams.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineApi } from '../worker/api.ts';
import { openWith } from '../worker/duckdb/node.ts';
import type { DuckConnection, DuckDatabase } from '../worker/duckdb/index.ts';
import { concatChunks } from '../worker/export/chunks.ts';
import { ROW_GROUP_ROWS } from '../worker/export/parquet.ts';
import { DinobaseDB } from '../worker/db.ts';
import { createEngineService } from '../worker/service.ts';
import { ManualClock } from '../worker/testing.ts';
import { tableToRows } from '../worker/values.ts';

/** Every column the issue names, with NULLs in a second row; the mapped ones (docs/ARCHITECTURE.md, Export) after. */
const COLUMNS = `
  'text'::VARCHAR AS v, 9007199254740993::BIGINT AS b, -7::INTEGER AS i, 1.25::DOUBLE AS d,
  12345678901234.56::DECIMAL(18,2) AS dc, true AS bo, DATE '2024-02-29' AS dt,
  TIMESTAMP '2024-01-02 03:04:05.123456' AS ts, TIMESTAMPTZ '2024-01-02 03:04:05.5+00' AS tz,
  '{"a": [1, 2], "b": null}' AS js, [1, NULL, 3]::INTEGER[] AS l, {'x': 1, 'y': 'z'} AS s,
  [{'k': 'a'}] AS ls, 'ab'::BLOB AS bl, TIME '01:02:03' AS tm, 2.5::FLOAT AS f, 18446744073709551615::UBIGINT AS ub`;
const NULLS = COLUMNS.match(/ AS \w+/g)!.length;

/** Native DuckDB's type for a column read back, where it differs from the source's (documented mappings). */
const MAPPED = `
  170141183460469231731687303715884105727::HUGEINT AS h, '6f1c1d6e-0b8a-4a8e-9d6e-3a1b2c3d4e5f'::UUID AS u,
  INTERVAL '1 month 2 days 3 seconds' AS iv, 'b'::ENUM('a', 'b') AS e, TIMESTAMP_S '2024-01-02 03:04:05' AS tss`;

/** Counts the rows DuckDB has handed to exports so far, to see where a chunk arrives. */
class CountingDB extends DinobaseDB {
  streamed = 0;
  override async connect(): Promise<DuckConnection> {
    const conn = await super.connect();
    return {
      ...conn,
      query: (sql, options) => conn.query(sql, options),
      queryIPC: (sql, options) => conn.queryIPC(sql, options),
      queryHead: (sql, options) => conn.queryHead(sql, options),
      queryParams: (sql, params) => conn.queryParams(sql, params),
      insertArrow: (table, target) => conn.insertArrow(table, target),
      close: () => conn.close(),
      queryBatches: (sql, options) =>
        conn.queryBatches(sql, {
          ...options,
          onBatch: (batch) => ((this.streamed += batch.numRows), options.onBatch(batch)),
        }),
    };
  }
}

const db = new CountingDB(':memory:', { clock: new ManualClock(), open: openWith('wasm') });
let engine: EngineApi;
let native: DuckDatabase;
let conn: DuckConnection;

beforeAll(async () => {
  engine = createEngineService({ db });
  await engine.open();
  native = await openWith('native')({ path: ':memory:' });
  conn = await native.connect();
});
afterAll(async () => {
  await engine.close();
  await conn.close();
  await native.close();
});

async function exportParquet(sql: string, onChunk: (chunk: Uint8Array) => void = () => undefined) {
  const chunks: Uint8Array[] = [];
  const result = await engine.exportData({
    sql,
    format: 'parquet',
    onChunk: (chunk) => {
      chunks.push(chunk);
      onChunk(chunk);
    },
  });
  return { result, bytes: concatChunks(chunks), chunks };
}

const describeTypes = async (sql: string) =>
  (await conn.query(`DESCRIBE ${sql}`))
    .toArray()
    .map((r) => `${String(r.column_name)} ${String(r.column_type)}`);

describe('Parquet export from DuckDB-WASM, read back by native DuckDB', () => {
  it('keeps every value and type of the common columns, NULLs included', async () => {
    const sql = `SELECT ${COLUMNS} UNION ALL SELECT ${Array(NULLS).fill('NULL').join(', ')}`;
    const { bytes } = await exportParquet(sql);
    const path = await native.registerFile('types.parquet', bytes);
    const back = `SELECT * FROM read_parquet('${path}')`;
    expect(await describeTypes(back)).toEqual(await describeTypes(sql));
    expect(tableToRows(await conn.query(back))).toEqual(tableToRows(await conn.query(sql)));
    // `typeof` per value, as DuckDB reports it.
    const typeofs = (from: string) =>
      conn.query(`SELECT typeof(COLUMNS(*)) FROM (${from}) LIMIT 1`).then((t) => tableToRows(t));
    expect(await typeofs(back)).toEqual(await typeofs(sql));
  });

  it('maps HUGEINT, UUID, INTERVAL, ENUM and TIMESTAMP_S as documented, keeping their values', async () => {
    const { bytes } = await exportParquet(`SELECT ${MAPPED}`);
    const path = await native.registerFile('mapped.parquet', bytes);
    const back = `SELECT * FROM read_parquet('${path}')`;
    expect(await describeTypes(back)).toEqual([
      'h DECIMAL(38,0)',
      'u VARCHAR',
      'iv VARCHAR',
      'e VARCHAR',
      'tss TIMESTAMP',
    ]);
    const [row] = tableToRows(await conn.query(back));
    expect(row).toEqual({
      h: '170141183460469231731687303715884105727',
      u: '6f1c1d6e-0b8a-4a8e-9d6e-3a1b2c3d4e5f',
      iv: '1 month 2 days 00:00:03',
      e: 'b',
      tss: '2024-01-02 03:04:05',
    });
  });

  it('streams a 2M-row export: chunks arrive before it ends, and every row reads back', async () => {
    const rows = 2_000_000;
    const streamedAt: number[] = [];
    const sql = `SELECT i, i * 2 AS twice, 'row ' || i AS label FROM range(${rows}) t(i)`;
    db.streamed = 0;
    const { result, bytes, chunks } = await exportParquet(sql, () => streamedAt.push(db.streamed));
    expect(result.row_count).toBe(rows);
    expect(chunks.length).toBeGreaterThan(1);
    // The first bytes went out while DuckDB had handed over only part of the result.
    expect(streamedAt[0]).toBeLessThan(rows / 2);
    const path = await native.registerFile('big.parquet', bytes);
    const [counted] = tableToRows(
      await conn.query(
        `SELECT count(*) AS n, sum(twice) = 2 * sum(i) AS same, count(DISTINCT label) AS labels FROM '${path}'`,
      ),
    );
    expect(counted).toEqual({ n: rows, same: true, labels: rows });
    const groups = tableToRows(
      await conn.query(`SELECT count(DISTINCT row_group_id) AS g FROM parquet_metadata('${path}')`),
    );
    expect(groups[0]!.g).toBe(Math.ceil(rows / ROW_GROUP_ROWS));
  });
});
