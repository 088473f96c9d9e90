// The fixed-width fast path gives the same Arrow as reading native DuckDB's values one by one, NULLs and chunk edges included.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableToRows } from '../values.ts';
import { materializedToArrow } from './native-arrow.ts';
import { vectorMemory } from './native-raw.ts';

let instance: DuckDBInstance;
let conn: DuckDBConnection;
beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
});
afterAll(() => {
  conn.closeSync();
  instance.closeSync();
});

/** Every fixed-width type, with NULLs every 7th row and negatives; 5,000 rows span three DuckDB chunks. */
const COLUMNS = [
  '(i % 256 - 128)::TINYINT',
  '(i % 256)::UTINYINT',
  '((i * 13) % 60000 - 30000)::SMALLINT',
  '(i * 7)::USMALLINT',
  '(i * 104729 - 1000000)::INTEGER',
  '(i * 104729)::UINTEGER',
  '(i * 9007199254741 - 9223372036854775)::BIGINT',
  '(i * 9007199254741)::UBIGINT',
  '(i / 7.0)::FLOAT',
  '(i / -3.0)::DOUBLE',
  "DATE '1969-12-01' + i::INTEGER",
  "TIME '00:00:01' + to_seconds(i * 17)",
  "TIMESTAMP '1960-01-01 00:00:00.123456' + to_seconds(i * 86399)",
  "TIMESTAMPTZ '2024-03-01 12:00:00+00' - to_seconds(i * 3601)",
  "'2024-01-01'::TIMESTAMP_S + to_seconds(i)",
  "'2024-01-01'::TIMESTAMP_MS + to_seconds(i)",
  "'2024-01-01'::TIMESTAMP_NS + to_seconds(i)",
  '(i::HUGEINT - 2500) * 17014118346046923173168730371588410',
  '((i - 2500) / 8.0)::DECIMAL(4,1)',
  '((i - 2500) * 1.75)::DECIMAL(9,2)',
  '((i - 2500) * 123456789.125)::DECIMAL(18,3)',
  '((i - 2500) * 12345678901234567890.5)::DECIMAL(38,1)',
  'i % 3 = 0',
];
const SELECT = `SELECT ${COLUMNS.map((c, k) => `CASE WHEN (i + ${k}) % 7 = 0 THEN NULL ELSE ${c} END AS c${k}`).join(', ')}
  FROM range(5000) r(i)`;

describe('native results straight from DuckDB memory', () => {
  it('finds the value buffer and validity mask node-api exposes for each fixed-width type', async () => {
    const result = await conn.run(SELECT);
    const chunk = (await result.fetchChunk())!;
    for (let c = 0; c < COLUMNS.length; c++) {
      const memory = vectorMemory(chunk.getColumnVector(c));
      expect(memory, COLUMNS[c]).not.toBeNull();
      expect(memory!.valid, COLUMNS[c]).not.toBeNull();
    }
  });

  it('read every fixed-width type exactly as DuckDB prints it, NULLs in place', async () => {
    const rows = tableToRows(materializedToArrow(await conn.run(SELECT)));
    const text = await conn.runAndReadAll(
      `SELECT ${COLUMNS.map((_, k) => `c${k}::VARCHAR AS c${k}`).join(', ')} FROM (${SELECT})`,
    );
    const expected = text.getRowObjects();
    expect(rows).toHaveLength(5000);
    for (const r of [0, 1, 6, 7, 2047, 2048, 2049, 4095, 4096, 4999]) {
      for (let k = 0; k < COLUMNS.length; k++) {
        const got = rows[r]![`c${k}`];
        const want = expected[r]![`c${k}`];
        if (want === null) expect(got, `${COLUMNS[k]} row ${r}`).toBeNull();
        else expect(normalise(String(got), k), `${COLUMNS[k]} row ${r}`).toBe(normalise(String(want), k));
      }
    }
  });

  it('give a column without NULLs no validity bitmap, as the value-by-value reader does', async () => {
    const table = materializedToArrow(
      await conn.run('SELECT i::BIGINT AS a, i % 2 = 0 AS b FROM range(3000) r(i)'),
    );
    for (const data of table.getChild('a')!.data) expect(data.nullCount).toBe(0);
    expect(table.getChild('b')!.toArray().slice(0, 4)).toEqual([true, false, true, false]);
  });
});

/** DuckDB's VARCHAR casts print floats and time zones its own way; the JSON forms are compared by value. */
function normalise(value: string, k: number): string {
  if (COLUMNS[k]!.endsWith('FLOAT') || COLUMNS[k]!.endsWith('DOUBLE')) return Number(value).toPrecision(6);
  if (COLUMNS[k]!.startsWith('TIMESTAMPTZ')) return value.replace(/\+00(:00)?$/, '');
  if (COLUMNS[k]!.includes('TIMESTAMP_NS')) return value.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  return value;
}
