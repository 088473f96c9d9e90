import { describe, expect, it } from 'vitest';
import { normalize, rowsOf, snakeCase } from './normalize.ts';
import { widen } from './types.ts';

describe('snakeCase', () => {
  it.each([
    ['createdAt', 'created_at'],
    ['hs_object_id', 'hs_object_id'],
    ['Plan Name', 'plan_name'],
    ['URLPath', 'url_path'],
    ['2fa', '_2fa'],
    ['_links', '_links'],
  ])('%s → %s', (from, to) => expect(snakeCase(from)).toBe(to));
});

describe('normalize', () => {
  const customer = {
    id: 'cus_1',
    email: 'a@acme.com',
    created: 1_700_000_000,
    balance: 0,
    address: { city: 'Berlin', line1: null },
    metadata: { plan: 'pro' },
    preferred_locales: ['en', 'de'],
    tax_ids: {
      object: 'list',
      data: [
        { id: 'txi_1', value: 'DE1' },
        { id: 'txi_2', value: 'DE2' },
      ],
    },
    updatedAt: '2026-01-02T03:04:05.123Z',
  };

  it('flattens objects with __, keeps scalar lists, and makes child tables that carry the parent key', () => {
    const tables = normalize([customer], { table: 'customers', primaryKey: ['id'] });
    expect([...tables.keys()]).toEqual(['customers', 'customers__tax_ids__data']);
    const root = tables.get('customers')!;
    expect(rowsOf(root)[0]).toMatchObject({
      id: 'cus_1',
      address__city: 'Berlin',
      metadata__plan: 'pro',
      preferred_locales: ['en', 'de'],
      tax_ids__object: 'list',
      updated_at: '2026-01-02T03:04:05.123Z',
      _dlt_id: 'cus_1',
    });
    expect(root.columns.get('created')).toBe('BIGINT');
    expect(root.columns.get('updated_at')).toBe('TIMESTAMP');
    expect(root.columns.get('preferred_locales')).toEqual({ list: 'VARCHAR' });
    expect(root.columns.get('address__line1')).toBe('unknown');
    expect(rowsOf(root)[0]).not.toHaveProperty('address__line1');
    const child = tables.get('customers__tax_ids__data')!;
    expect(child.parent).toBe('customers');
    expect(rowsOf(child)).toEqual([
      {
        id: 'txi_1',
        value: 'DE1',
        _dlt_parent_id: 'cus_1',
        _dlt_root_id: 'cus_1',
        _dlt_list_idx: 0,
        _dlt_id: 'cus_1/tax_ids__data/0',
      },
      {
        id: 'txi_2',
        value: 'DE2',
        _dlt_parent_id: 'cus_1',
        _dlt_root_id: 'cus_1',
        _dlt_list_idx: 1,
        _dlt_id: 'cus_1/tax_ids__data/1',
      },
    ]);
  });

  it('widens types when later records disagree', () => {
    const tables = normalize(
      [
        { id: 1, n: 1, flag: true, s: 'x', t: null },
        { id: 2, n: 1.5, flag: 'yes', s: 3, t: '2026-01-01' },
      ],
      { table: 't', primaryKey: ['id'] },
    );
    const cols = tables.get('t')!.columns;
    expect(cols.get('n')).toBe('DOUBLE');
    expect(cols.get('flag')).toBe('VARCHAR');
    expect(cols.get('s')).toBe('VARCHAR');
    expect(cols.get('t')).toBe('DATE');
  });

  it('applies type hints over inference', () => {
    const tables = normalize([{ id: '1', properties: { amount: '12500.00' } }], {
      table: 'deals',
      primaryKey: ['id'],
      hints: { properties__amount: 'DOUBLE' },
    });
    expect(tables.get('deals')!.columns.get('properties__amount')).toBe('DOUBLE');
  });

  it('lifts unwrapped object fields to top-level columns', () => {
    const tables = normalize(
      [
        {
          id: '5001',
          properties: { email: 'a@x.com', firstname: 'Ann', id: 'shadowed' },
          createdAt: '2026-01-01T00:00:00Z',
        },
      ],
      { table: 'contacts', primaryKey: ['id'], unwrap: ['properties'] },
    );
    expect(rowsOf(tables.get('contacts')!)[0]).toMatchObject({
      id: '5001',
      email: 'a@x.com',
      firstname: 'Ann',
      created_at: '2026-01-01T00:00:00Z',
    });
  });

  it('stores mixed lists and over-deep objects as JSON text', () => {
    const tables = normalize([{ id: 1, mixed: [1, { a: 1 }], deep: { a: { b: { c: 1 } } } }], {
      table: 't',
      primaryKey: ['id'],
      maxNesting: 1,
    });
    const row = rowsOf(tables.get('t')!)[0]!;
    expect(row.mixed).toBe('[1,{"a":1}]');
    expect(row.deep__a).toBe('{"b":{"c":1}}');
  });

  it('keys rows by their primary key as text, joining a composite key, and hashes a row missing a part', () => {
    const ids = (records: Record<string, unknown>[], primaryKey: string[]) =>
      rowsOf(normalize(records, { table: 't', primaryKey }).get('t')!).map((r) => r._dlt_id);
    expect(ids([{ id: 7 }, { id: 'cus_1' }], ['id'])).toEqual(['7', 'cus_1']);
    expect(ids([{ org: 'a', id: 2 }], ['org', 'id'])).toEqual(['a|2']);
    const [single, composite] = [ids([{ x: 1 }], ['id']), ids([{ org: 'a', x: 1 }], ['org', 'id'])];
    expect(single[0]).toMatch(/^[0-9a-f]{16}$/);
    expect(composite[0]).toMatch(/^[0-9a-f]{16}$/);
  });

  it('tells lists apart by what they hold, ignoring NULLs', () => {
    const tables = normalize(
      [
        {
          id: 1,
          none: [null],
          tags: ['a', null, 'b'],
          nums: [1, 2.5],
          nested: [[1], [2]],
          kids: [{ k: 1 }, { k: 2 }],
        },
      ],
      { table: 't', primaryKey: ['id'] },
    );
    const table = tables.get('t')!;
    const row = rowsOf(table)[0]!;
    expect(row.none).toEqual([null]);
    expect(table.columns.get('none')).toBeUndefined();
    expect(table.columns.get('tags')).toEqual({ list: 'VARCHAR' });
    expect(table.columns.get('nums')).toEqual({ list: 'DOUBLE' });
    expect(row.nested).toBe('[[1],[2]]');
    expect(rowsOf(tables.get('t__kids')!).map((r) => r.k)).toEqual([1, 2]);
  });

  it('gives rows without a primary key a stable content id', () => {
    const a = rowsOf(normalize([{ x: 1 }], { table: 't' }).get('t')!)[0]!._dlt_id;
    const b = rowsOf(normalize([{ x: 1 }], { table: 't' }).get('t')!)[0]!._dlt_id;
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('widen', () => {
  it('widens lists element-wise and falls back to VARCHAR', () => {
    expect(widen({ list: 'BIGINT' }, { list: 'DOUBLE' })).toEqual({ list: 'DOUBLE' });
    expect(widen({ list: 'BIGINT' }, 'BIGINT')).toBe('VARCHAR');
    expect(widen('unknown', 'TIMESTAMP')).toBe('TIMESTAMP');
  });
});
