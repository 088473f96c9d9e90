import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDB, type DuckConnection, type DuckDatabase } from './duckdb/index.ts';
import { duckTypeName, formatDecimal, formatTimestampMicros, tableToRows } from './values.ts';

let db: DuckDatabase;
let conn: DuckConnection;

beforeAll(async () => {
  db = await openDuckDB({ path: ':memory:' });
  conn = await db.connect();
});
afterAll(async () => db.close());

async function one(sql: string) {
  const table = await conn.query(sql);
  const field = table.schema.fields[0]!;
  return { value: tableToRows(table)[0]![field.name], type: duckTypeName(field.type) };
}

describe('toJsonValue on real DuckDB results', () => {
  it.each([
    ['SELECT 42::BIGINT AS v', 42, 'BIGINT'],
    ['SELECT 9007199254740993::BIGINT AS v', '9007199254740993', 'BIGINT'],
    ['SELECT (-9223372036854775807 - 1)::BIGINT AS v', '-9223372036854775808', 'BIGINT'],
    ['SELECT 18446744073709551615::UBIGINT AS v', '18446744073709551615', 'UBIGINT'],
    ['SELECT 7::INTEGER AS v', 7, 'INTEGER'],
    ['SELECT 3::TINYINT AS v', 3, 'TINYINT'],
    ['SELECT 99.990::DECIMAL(10,3) AS v', '99.990', 'DECIMAL(10,3)'],
    ['SELECT -0.05::DECIMAL(4,2) AS v', '-0.05', 'DECIMAL(4,2)'],
    [
      'SELECT 123456789012345678901234567890.12::DECIMAL(38,2) AS v',
      '123456789012345678901234567890.12',
      'DECIMAL(38,2)',
    ],
    [
      'SELECT 170141183460469231731687303715884105727::HUGEINT AS v',
      '170141183460469231731687303715884105727',
      'HUGEINT',
    ],
    ['SELECT -5::HUGEINT AS v', '-5', 'HUGEINT'],
    ['SELECT 1.5::DOUBLE AS v', 1.5, 'DOUBLE'],
    ["SELECT 'nan'::DOUBLE AS v", 'NaN', 'DOUBLE'],
    ['SELECT true AS v', true, 'BOOLEAN'],
    ["SELECT 'héllo' AS v", 'héllo', 'VARCHAR'],
    ["SELECT DATE '2026-01-01' AS v", '2026-01-01', 'DATE'],
    ["SELECT DATE '1969-12-31' AS v", '1969-12-31', 'DATE'],
    ["SELECT TIMESTAMP '2026-01-01 00:00:00' AS v", '2026-01-01 00:00:00', 'TIMESTAMP'],
    ["SELECT TIMESTAMP '2026-03-01 10:30:00.123456' AS v", '2026-03-01 10:30:00.123456', 'TIMESTAMP'],
    ["SELECT TIMESTAMP '1960-05-04 03:02:01.5' AS v", '1960-05-04 03:02:01.500000', 'TIMESTAMP'],
    ['SELECT to_timestamp(0) AS v', '1970-01-01 00:00:00+00', 'TIMESTAMP WITH TIME ZONE'],
    ["SELECT TIME '12:34:56' AS v", '12:34:56', 'TIME'],
    ['SELECT [1, 2, NULL] AS v', [1, 2, null], 'INTEGER[]'],
    [
      "SELECT {'a': 1, 'b': [TIMESTAMP '2026-01-02 03:04:05']} AS v",
      { a: 1, b: ['2026-01-02 03:04:05'] },
      'STRUCT(a INTEGER, b TIMESTAMP[])',
    ],
    ["SELECT MAP {'k': 1} AS v", { k: 1 }, 'MAP(VARCHAR, INTEGER)'],
    ["SELECT 'abc'::BLOB AS v", 'YWJj', 'BLOB'],
    ["SELECT INTERVAL '1 year 2 months 3 days 04:05:06' AS v", '1 year 2 months 3 days 04:05:06', 'INTERVAL'],
    ['SELECT NULL::VARCHAR AS v', null, 'VARCHAR'],
  ])('%s', async (sql, value, type) => {
    const result = await one(sql);
    expect(result.value).toEqual(value);
    expect(result.type).toBe(type);
    expect(JSON.parse(JSON.stringify(result.value))).toEqual(value);
  });

  it('formats a UUID and an ENUM as text', async () => {
    expect((await one("SELECT '6f1c5b0e-6f1c-4b0e-8f1c-5b0e6f1c4b0e'::UUID AS v")).value).toBe(
      '6f1c5b0e-6f1c-4b0e-8f1c-5b0e6f1c4b0e',
    );
    expect((await one("SELECT 'b'::ENUM('a', 'b') AS v")).value).toBe('b');
  });

  it('reads NULL timestamps across several chunks', async () => {
    const table = await conn.query(
      "SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND END AS t FROM range(5000) r(i)",
    );
    const rows = tableToRows(table);
    expect(rows[0]!.t).toBeNull();
    expect(rows[4999]!.t).toBe('2026-01-01 01:23:19');
    expect(rows.filter((r) => r.t === null)).toHaveLength(1667);
  });
});

describe('columns read straight from their buffers', () => {
  it('reads text across chunks, ASCII and not, NULLs in place, and from a slice', async () => {
    const table = await conn.query(
      `SELECT CASE WHEN i % 5 = 0 THEN NULL WHEN i >= 3000 AND i < 4096 THEN 'é' || i ELSE 'c' || i END AS s,
        CASE WHEN i % 3 = 0 THEN NULL ELSE (i - 2000) * 1.25 END::DECIMAL(12,2) AS d,
        CASE WHEN i % 4 = 0 THEN NULL ELSE (i - 2000) * 4503599627370 END::BIGINT AS b
      FROM range(5000) r(i)`,
    );
    const expected = (i: number) => ({
      s: i % 5 === 0 ? null : `${i >= 3000 && i < 4096 ? 'é' : 'c'}${i}`,
      d: i % 3 === 0 ? null : formatDecimal(BigInt((i - 2000) * 125), 2),
      b:
        i % 4 === 0
          ? null
          : BigInt(i - 2000) * 4503599627370n >= BigInt(Number.MIN_SAFE_INTEGER) &&
              BigInt(i - 2000) * 4503599627370n <= BigInt(Number.MAX_SAFE_INTEGER)
            ? (i - 2000) * 4503599627370
            : (BigInt(i - 2000) * 4503599627370n).toString(),
    });
    const rows = tableToRows(table);
    for (const i of [0, 1, 2, 2047, 2048, 2999, 3000, 3001, 4999])
      expect(rows[i], `row ${i}`).toEqual(expected(i));
    for (const from of [2100, 2990]) {
      const slice = tableToRows(table.slice(from, from + 20));
      slice.forEach((row, k) => expect(row, `slice row ${from + k}`).toEqual(expected(from + k)));
    }
  });
});

describe('formatters', () => {
  it('pads decimals', () => {
    expect(formatDecimal(5n, 3)).toBe('0.005');
    expect(formatDecimal(-12345n, 2)).toBe('-123.45');
  });
  it('formats timestamps before the epoch', () => {
    expect(formatTimestampMicros(-1n)).toBe('1969-12-31 23:59:59.999999');
  });
});
