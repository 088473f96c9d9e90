import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DinobaseDB } from '../db.ts';
import { memoryDB } from '../testing.ts';
import { loadTables, type WriteDisposition } from './load.ts';
import { normalize } from './normalize.ts';

let db: DinobaseDB;
beforeAll(() => {
  db = memoryDB();
});
afterAll(() => db.close());

async function load(
  schema: string,
  table: string,
  records: unknown[],
  disposition: WriteDisposition = 'merge',
) {
  const tables = normalize(records, { table, primaryKey: ['id'] });
  return loadTables(() => db.connect(), schema, [{ tables, root: table, disposition }]);
}

describe('loadTables', () => {
  it('creates tables with inferred types, child tables and exact values', async () => {
    await load('s1', 'customers', [
      {
        id: 'c1',
        n: 1,
        seen_at: '2026-01-02T03:04:05.123456Z',
        tags: ['a'],
        address: { city: 'X' },
        items: { data: [{ q: 1 }] },
      },
      { id: 'c2', n: 2, seen_at: null, tags: [], address: { city: null }, items: { data: [] } },
    ]);
    expect(await db.getColumns('s1', 'customers')).toEqual([
      { column_name: 'id', data_type: 'VARCHAR', is_nullable: 'YES' },
      { column_name: 'n', data_type: 'BIGINT', is_nullable: 'YES' },
      { column_name: 'seen_at', data_type: 'TIMESTAMP', is_nullable: 'YES' },
      { column_name: 'tags', data_type: 'VARCHAR[]', is_nullable: 'YES' },
      { column_name: 'address__city', data_type: 'VARCHAR', is_nullable: 'YES' },
      { column_name: '_dlt_id', data_type: 'VARCHAR', is_nullable: 'YES' },
    ]);
    expect(await db.query('SELECT id, n, seen_at, tags FROM s1.customers ORDER BY id')).toEqual([
      { id: 'c1', n: 1, seen_at: '2026-01-02 03:04:05.123456', tags: ['a'] },
      { id: 'c2', n: 2, seen_at: null, tags: [] },
    ]);
    expect(await db.query('SELECT q, _dlt_parent_id FROM s1.customers__items__data')).toEqual([
      { q: 1, _dlt_parent_id: 'c1' },
    ]);
    expect(await db.getSchemas()).not.toContain('_dinobase_staging');
    expect(await db.getTables('_dinobase_staging')).toEqual([]);
  });

  it('merges by primary key, replaces child rows of re-fetched records, and evolves the schema', async () => {
    await load('s1', 'customers', [
      {
        id: 'c1',
        n: 1.5,
        seen_at: '2026-02-01T00:00:00Z',
        fresh: true,
        items: { data: [{ q: 7 }, { q: 8 }] },
      },
      { id: 'c3', n: 3, items: { data: [] } },
    ]);
    expect(await db.query('SELECT id, n, fresh FROM s1.customers ORDER BY id')).toEqual([
      { id: 'c1', n: 1.5, fresh: true },
      { id: 'c2', n: 2, fresh: null },
      { id: 'c3', n: 3, fresh: null },
    ]);
    expect((await db.getColumns('s1', 'customers')).find((c) => c.column_name === 'n')?.data_type).toBe(
      'DOUBLE',
    );
    expect(await db.query('SELECT q FROM s1.customers__items__data ORDER BY q')).toEqual([
      { q: 7 },
      { q: 8 },
    ]);
  });

  it('keeps the last copy of a record fetched twice in one load', async () => {
    await load('s2', 't', [
      { id: 1, v: 'old' },
      { id: 1, v: 'new' },
    ]);
    expect(await db.query('SELECT id, v FROM s2.t')).toEqual([{ id: 1, v: 'new' }]);
  });

  it('replaces and appends', async () => {
    await load('s3', 't', [{ id: 1 }, { id: 2 }], 'replace');
    await load('s3', 't', [{ id: 3 }], 'replace');
    expect(await db.query('SELECT id FROM s3.t')).toEqual([{ id: 3 }]);
    await load('s3', 't', [{ id: 3 }], 'append');
    expect(await db.getRowCount('s3', 't')).toBe(2);
  });

  it('leaves everything as it was when the transaction fails, and closes its connection', async () => {
    const open = db.openConnections;
    await expect(
      loadTables(
        () => db.connect(),
        's1',
        [
          {
            tables: normalize([{ id: 'c9', n: 9, newcol: 'x' }], { table: 'customers', primaryKey: ['id'] }),
            root: 'customers',
            disposition: 'merge',
          },
        ],
        { within: () => Promise.reject(new Error('network died mid-sync')) },
      ),
    ).rejects.toThrow('network died');
    expect(db.openConnections).toBe(open);
    expect(await db.getTables('_dinobase_staging')).toEqual([]);
    expect(await db.getRowCount('s1', 'customers')).toBe(3);
    expect((await db.getColumns('s1', 'customers')).map((c) => c.column_name)).not.toContain('newcol');
  });
});
