// exportData on the driver DINOBASE_DRIVER names: every format's bytes, the Parquet read back by native DuckDB, refusals, cancel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineApi, ExportFormat } from '../api.ts';
import type { DinobaseDB } from '../db.ts';
import { openWith } from '../duckdb/node.ts';
import type { DuckDatabase } from '../duckdb/index.ts';
import { createEngineService } from '../service.ts';
import { memoryDB } from '../testing.ts';
import { concatChunks } from './chunks.ts';

let db: DinobaseDB;
let engine: EngineApi;
let native: DuckDatabase;

beforeAll(async () => {
  db = memoryDB();
  engine = createEngineService({ db });
  await engine.open();
  native = await openWith('native')({ path: ':memory:' });
  await db.run('CREATE SCHEMA shop');
  await db.run(`CREATE TABLE shop.orders AS SELECT * FROM (VALUES
    (1, 'ann', 9007199254740993::BIGINT, 12.50::DECIMAL(18,2), DATE '2024-02-29', NULL::VARCHAR),
    (2, 'bo, "b"', -1::BIGINT, 0.05::DECIMAL(18,2), NULL::DATE, '')) t(id, name, big, amount, day, note)`);
});
afterAll(async () => {
  await engine.close();
  await native.close();
});

async function exported(request: { sql?: string; table?: string; format: ExportFormat }) {
  const chunks: Uint8Array[] = [];
  const result = await engine.exportData({ ...request, onChunk: (chunk) => void chunks.push(chunk) });
  const bytes = concatChunks(chunks);
  expect(result.byte_count).toBe(bytes.byteLength);
  return { result, bytes, text: new TextDecoder().decode(bytes) };
}

describe('exportData', () => {
  it('writes NDJSON and JSON with the values execute returns (BIGINT and DECIMAL exact)', async () => {
    const sql = 'SELECT * FROM shop.orders ORDER BY id';
    const rows = await engine.execute({ sql });
    if (!('rows' in rows)) throw new Error(JSON.stringify(rows));
    const nd = await exported({ sql, format: 'ndjson' });
    expect(nd.text.split('\n')).toEqual([...rows.rows.map((r) => JSON.stringify(r)), '']);
    expect(nd.text).toContain('"big":"9007199254740993"');
    expect(nd.text).toContain('"amount":"12.50"');
    const json = await exported({ sql, format: 'json' });
    expect(JSON.parse(json.text)).toEqual(rows.rows);
    expect(json.result).toMatchObject({ format: 'json', row_count: 2, file_name: 'dinobase-result.json' });
  });

  it('writes RFC 4180 CSV of a whole table, named after it', async () => {
    const { text, result } = await exported({ table: 'shop.orders', format: 'csv' });
    expect(result).toMatchObject({
      file_name: 'orders.csv',
      row_count: 2,
      mime_type: 'text/csv;charset=utf-8',
    });
    expect(text).toBe(
      'id,name,big,amount,day,note\r\n1,ann,9007199254740993,12.50,2024-02-29,\r\n2,"bo, ""b""",-1,0.05,,""\r\n',
    );
  });

  it('writes an empty result as an empty JSON array and a header-only CSV', async () => {
    expect((await exported({ sql: 'SELECT 1 AS a WHERE false', format: 'json' })).text).toBe('[]\n');
    expect((await exported({ sql: 'SELECT 1 AS a WHERE false', format: 'csv' })).text).toBe('a\r\n');
  });

  it('writes Parquet that native DuckDB reads back with the same values and types', async () => {
    const sql = 'SELECT * FROM shop.orders ORDER BY id';
    const { bytes, result } = await exported({ sql, format: 'parquet' });
    expect(result.row_count).toBe(2);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('PAR1');
    const path = await native.registerFile('orders.parquet', bytes);
    const conn = await native.connect();
    try {
      const types = (await conn.query(`DESCRIBE SELECT * FROM read_parquet('${path}')`)).toArray();
      expect(types.map((r) => `${String(r.column_name)} ${String(r.column_type)}`)).toEqual([
        'id INTEGER',
        'name VARCHAR',
        'big BIGINT',
        'amount DECIMAL(18,2)',
        'day DATE',
        'note VARCHAR',
      ]);
      const back = await conn.query(
        `SELECT big::VARCHAR b, amount::VARCHAR a, day::VARCHAR d, note FROM '${path}'`,
      );
      expect(back.toArray().map((r) => ({ ...r }))).toEqual([
        { b: '9007199254740993', a: '12.50', d: '2024-02-29', note: null },
        { b: '-1', a: '0.05', d: null, note: '' },
      ]);
    } finally {
      await conn.close();
      await native.dropFile('orders.parquet');
    }
  });

  it('refuses writes, file access and bad requests with a clear error, as queries do', async () => {
    const fail = (request: { sql?: string; table?: string; format: ExportFormat }) =>
      engine.exportData({ ...request, onChunk: () => undefined });
    await expect(fail({ sql: "UPDATE shop.orders SET name = 'x'", format: 'csv' })).rejects.toMatchObject({
      code: 'refused',
    });
    await expect(fail({ sql: "COPY shop.orders TO '/tmp/x.csv'", format: 'csv' })).rejects.toMatchObject({
      code: 'refused',
    });
    await expect(fail({ sql: "SELECT * FROM read_csv('/etc/passwd')", format: 'csv' })).rejects.toMatchObject(
      {
        code: 'refused',
      },
    );
    await expect(fail({ sql: 'SELECT 1', format: 'xlsx' as ExportFormat })).rejects.toThrow(
      /'xlsx'.*parquet/,
    );
    await expect(fail({ sql: 'SELECT 1', table: 'shop.orders', format: 'csv' })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(fail({ table: 'orders', format: 'csv' })).rejects.toThrow(/schema\.table/);
  });

  it('exports the last statement of a script of reads, and stops when cancelled', async () => {
    const { text } = await exported({ sql: 'SELECT 1 AS a; SELECT 2 AS b', format: 'ndjson' });
    expect(text).toBe('{"b":2}\n');
    let chunks = 0;
    const running = engine.exportData({
      sql: "SELECT i, repeat('x', 100) AS pad FROM range(5000000) t(i)",
      format: 'ndjson',
      queryId: 'export-1',
      onChunk: async () => {
        if (++chunks === 1) await engine.cancel({ queryId: 'export-1' });
      },
    });
    await expect(running).rejects.toMatchObject({ code: 'interrupted' });
    expect(chunks).toBeLessThan(20);
  });
});
