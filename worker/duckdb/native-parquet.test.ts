// Native insertArrow's Parquet path: every value the sync stages comes back exactly as DuckDB-WASM's Arrow insert gives it.
import { Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryError } from '../errors.ts';
import { buildArrowTable } from '../ingest/arrow.ts';
import type { ColumnType } from '../ingest/types.ts';
import { privateFiles } from '../testing.ts';
import { tableToRows } from '../values.ts';
import { openWith, type DriverName } from './node.ts';
import type { DuckConnection, DuckDatabase } from './types.ts';

const COLUMNS = new Map<string, ColumnType>([
  ['id', 'BIGINT'],
  ['flag', 'BOOLEAN'],
  ['n', 'DOUBLE'],
  ['at', 'TIMESTAMP'],
  ['day', 'DATE'],
  ['text', 'VARCHAR'],
  ['tags', { list: 'VARCHAR' }],
  ['nums', { list: 'BIGINT' }],
  ['times', { list: 'TIMESTAMP' }],
  ['bits', { list: 'BOOLEAN' }],
]);

const LONG = 'ü'.repeat(70_000) + 'x'.repeat(30_000);
const TEXTS = [
  'plain',
  'a,"b"\n',
  '',
  'with "quotes", commas, and \'single\' ones',
  'line\nbreak\r\nand\ttab',
  'naïve café ✓ 日本語 🦕 e\u0301',
  '{"json": [1, 2, {"a": null}], "s": "x,y"}',
  '\\N',
  'NULL',
];
/** Row indexes that carry the 100k-character text (kept few: the wasm reference is slow on big text). */
const LONG_AT = new Set([8, 2_502]);

/** Rows that hit every edge the staging path must keep: NULLs everywhere, extremes, empty lists. */
function rows(count: number): Map<string, unknown[]> {
  const values = new Map<string, unknown[]>([...COLUMNS.keys()].map((name) => [name, []]));
  const put = (name: string, value: unknown) => values.get(name)!.push(value);
  for (let i = 0; i < count; i++) {
    const gap = i % 7 === 3;
    put('id', i === 1 ? '9223372036854775807' : i === 2 ? '-9223372036854775808' : i % 11 === 5 ? null : i);
    put('flag', gap ? null : i % 3 === 0);
    put('n', gap ? null : [0.1, -0, 1e308, 5e-324, -123.456, 2 ** 53 + 2][i % 6]);
    put(
      'at',
      gap
        ? null
        : ['2024-02-29T23:59:59.123456Z', '1969-12-31T23:59:59.999999Z', '2038-01-19 03:14:08'][i % 3],
    );
    put('day', gap ? null : ['2024-02-29', '1900-01-01', '1969-12-31'][i % 3]);
    const text = LONG_AT.has(i) ? LONG : TEXTS[i % TEXTS.length];
    put('text', i % 13 === 4 ? null : text);
    put('tags', i % 5 === 0 ? null : i % 5 === 1 ? [] : ['a', null, text, '']);
    put('nums', i % 4 === 0 ? [] : i % 4 === 1 ? null : [i, null, -i]);
    put('times', i % 3 === 0 ? ['2024-01-01T00:00:00.000001Z', null] : null);
    put('bits', i % 2 === 0 ? [true, false, null, true, true, false, true, false, true] : []);
  }
  return values;
}

function table(count: number): Table {
  const values = rows(count);
  return buildArrowTable({ name: 't', parent: null, columns: COLUMNS, values, length: count }, COLUMNS);
}

const dbs = {} as Record<DriverName, { db: DuckDatabase; conn: DuckConnection }>;

beforeAll(async () => {
  for (const driver of ['native', 'wasm'] as const) {
    const db = await openWith(driver)({ path: ':memory:' });
    dbs[driver] = { db, conn: await db.connect() };
  }
});
afterAll(async () => {
  for (const { db } of Object.values(dbs)) await db.close();
});

/** Inserts the same batches on both drivers (the first creates the table) and reads both tables back. */
async function loadBoth(name: string, batches: Table[]) {
  const out = {} as Record<DriverName, ReturnType<typeof tableToRows>>;
  for (const driver of ['native', 'wasm'] as const) {
    const { conn } = dbs[driver];
    for (const [k, batch] of batches.entries())
      await conn.insertArrow(batch, { schema: 'main', name, create: k === 0 });
    out[driver] = tableToRows(await conn.query(`SELECT * FROM ${name}`));
  }
  return out;
}

const nativeFiles = () => privateFiles(dbs.native.db);

describe('native insertArrow through Parquet', () => {
  it('keeps every value, NULL and edge case exactly as the Arrow insert of DuckDB-WASM does', async () => {
    // The last insert is one table of two batches, the first of them empty.
    const { native, wasm } = await loadBoth('edges', [table(3_000), table(37), table(0).concat(table(9))]);
    expect(native).toHaveLength(3_046);
    expect(native).toEqual(wasm);
    // The reference could be wrong the same way; spot values from the source too.
    expect(native[0]).toMatchObject({ id: 0, flag: true, n: 0.1, at: '2024-02-29 23:59:59.123456' });
    expect(native[0]).toMatchObject({ day: '2024-02-29', text: 'plain', tags: null, nums: [] });
    expect(native[0]!.times).toEqual(['2024-01-01 00:00:00.000001', null]);
    expect(native[0]!.bits).toEqual([true, false, null, true, true, false, true, false, true]);
    expect(native[1]).toMatchObject({
      id: '9223372036854775807',
      n: -0,
      text: TEXTS[1],
      tags: [],
      nums: null,
    });
    expect(native[1]).toMatchObject({ at: '1969-12-31 23:59:59.999999', day: '1900-01-01' });
    expect(native[2]).toMatchObject({ id: '-9223372036854775808', n: 1e308, at: '2038-01-19 03:14:08' });
    expect(native[2]).toMatchObject({
      day: '1969-12-31',
      tags: ['a', null, TEXTS[2], ''],
      nums: [2, null, -2],
    });
    expect(native[3]).toMatchObject({ flag: null, n: null, at: null, day: null, text: TEXTS[3] });
    expect(native[4]).toMatchObject({ n: -123.456, text: null });
    expect(native[9]!.n).toBe(5e-324);
    expect(native[5]).toMatchObject({ id: null, n: 2 ** 53 + 2, text: TEXTS[5], nums: null });
    expect(native[6]!.text).toBe(TEXTS[6]);
    expect(native[8]!.text).toBe(LONG);
    expect(native[2_502]!.tags).toEqual(['a', null, LONG, '']);
    expect(native[3_036]).toMatchObject({ id: 36, text: TEXTS[36 % TEXTS.length] });
    expect(native[3_045]).toMatchObject({ id: 8, text: LONG });
    expect(await nativeFiles()).toEqual([]);
  });

  it('appends into an existing table by position, and keeps aliased types (JSON) on the Appender', async () => {
    const { conn } = dbs.native;
    // DuckDB-WASM here has no json extension, so this one is checked against the source values only.
    await conn.query('CREATE TABLE typed (doc JSON, note VARCHAR)');
    const docs = new Map<string, ColumnType>([
      ['a', 'VARCHAR'],
      ['b', 'VARCHAR'],
    ]);
    const values = new Map<string, unknown[]>([
      ['a', ['{"k":  [1, 2]}', null]],
      ['b', ['x', 'y']],
    ]);
    const batch = buildArrowTable({ name: 'x', parent: null, columns: docs, values, length: 2 }, docs);
    await conn.insertArrow(batch, { schema: 'main', name: 'typed', create: false });
    await conn.insertArrow(batch, { schema: 'main', name: 'typed', create: false });
    expect(tableToRows(await conn.query('SELECT doc::VARCHAR AS doc, note FROM typed'))).toEqual([
      { doc: '{"k":  [1, 2]}', note: 'x' },
      { doc: null, note: 'y' },
      { doc: '{"k":  [1, 2]}', note: 'x' },
      { doc: null, note: 'y' },
    ]);
  });

  it('fails whole on a rejected batch, leaves the table as it was and no file behind', async () => {
    const { conn } = dbs.native;
    await conn.query('CREATE TABLE keyed (id BIGINT PRIMARY KEY, text VARCHAR)');
    const cols = new Map<string, ColumnType>([
      ['id', 'BIGINT'],
      ['text', 'VARCHAR'],
    ]);
    const batch = (ids: number[]) =>
      buildArrowTable(
        {
          name: 'k',
          parent: null,
          columns: cols,
          values: new Map<string, unknown[]>([
            ['id', ids],
            ['text', ids.map(String)],
          ]),
          length: ids.length,
        },
        cols,
      );
    await conn.insertArrow(batch([1, 2]), { schema: 'main', name: 'keyed', create: false });
    const failed = conn.insertArrow(batch([3, 2]), { schema: 'main', name: 'keyed', create: false });
    await expect(failed).rejects.toBeInstanceOf(QueryError);
    await expect(failed).rejects.toThrow(/duplicate key|constraint/i);
    expect(tableToRows(await conn.query('SELECT id FROM keyed ORDER BY id'))).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await nativeFiles()).toEqual([]);
  });
});
