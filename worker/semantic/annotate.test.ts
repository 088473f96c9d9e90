// `annotate`: the original's targets, keys and messages; annotations survive a metadata refresh (a re-sync).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DinobaseDB } from '../db.ts';
import { describeTable } from '../query/catalog.ts';
import { memoryDB } from '../testing.ts';
import { annotate } from './annotate.ts';

let db: DinobaseDB;

beforeAll(async () => {
  db = memoryDB();
  await db.query(`CREATE SCHEMA shop`);
  await db.query(`CREATE TABLE shop.orders (id VARCHAR, amount BIGINT, email VARCHAR)`);
  await db.query(`CREATE TABLE shop.buyers (id VARCHAR, email VARCHAR)`);
  await db.updateTableMetadata('shop', 'shop', { orders: { amount: { description: 'Order total' } } });
});
afterAll(() => db.close());

describe('annotate', () => {
  it('sets table and column descriptions, notes and tags, in the places the original keeps them', async () => {
    expect(
      await annotate(db, { target: 'shop.orders', key: 'description', value: 'One row per order' }),
    ).toEqual({
      annotated: 'shop.orders',
      key: 'description',
      value: 'One row per order',
    });
    await annotate(db, { target: 'shop.orders.amount', key: 'note', value: 'In cents' });
    await annotate(db, { target: 'shop.orders.email', key: 'pii', value: 'true' });
    await annotate(db, { target: 'shop.orders', key: 'owner', value: 'finance' });
    const meta = await db.query(`SELECT column_name, key, value FROM _dinobase.metadata ORDER BY key`);
    expect(meta).toEqual([
      { column_name: '', key: 'owner', value: 'finance' },
      { column_name: 'email', key: 'pii', value: 'true' },
    ]);
    const described = await describeTable(db, 'shop.orders');
    expect(described).toMatchObject({ description: 'One row per order', metadata: { owner: 'finance' } });
    const columns = 'columns' in described ? described.columns : [];
    expect(columns.find((c) => c.name === 'amount')).toMatchObject({
      description: 'Order total',
      note: 'In cents',
    });
    expect(columns.find((c) => c.name === 'email')).toMatchObject({ metadata: { pii: 'true' } });
  });

  it('keeps annotations when a re-sync refreshes the metadata with the connector’s own', async () => {
    await db.updateTableMetadata('shop', 'shop', {
      orders: { amount: { description: 'Connector says', note: 'Connector note' } },
    });
    const [row] = await db.query(
      `SELECT description, note FROM _dinobase.columns WHERE table_name = 'orders' AND column_name = 'amount'`,
    );
    expect(row).toEqual({ description: 'Order total', note: 'In cents' });
    const [table] = await db.query(`SELECT description FROM _dinobase.tables WHERE table_name = 'orders'`);
    expect(table).toEqual({ description: 'One row per order' });
  });

  it('stores a relationship and answers with its arrow', async () => {
    expect(
      await annotate(db, {
        from_table: 'shop.orders',
        from_column: 'email',
        to_table: 'shop.buyers',
        to_column: 'email',
        cardinality: 'many_to_one',
        description: '',
      }),
    ).toEqual({ stored: 1, relationship: 'shop.orders.email → shop.buyers.email' });
    const rows = await db.query(`SELECT cardinality, confidence FROM _dinobase.relationships`);
    expect(rows).toEqual([{ cardinality: 'many_to_one', confidence: 1 }]);
  });

  it('answers bad targets with the original’s message and unknown tables or columns by name', async () => {
    expect(await annotate(db, { target: 'orders', key: 'note', value: 'x' })).toEqual({
      error: "Invalid target 'orders'. Use 'schema.table' or 'schema.table.column'",
      code: 'invalid_argument',
    });
    expect(await annotate(db, { target: 'a.b.c.d', key: 'note', value: 'x' })).toMatchObject({
      code: 'invalid_argument',
    });
    expect(await annotate(db, { target: 'shop.nope', key: 'note', value: 'x' })).toEqual({
      error: "Table 'shop.nope' not found.",
      code: 'not_found',
    });
    const relation = await annotate(db, {
      from_table: 'shop',
      from_column: 'x',
      to_table: 'shop.buyers',
      to_column: 'id',
      cardinality: 'one_to_many',
      description: '',
    });
    expect(relation).toEqual({ error: "Invalid table 'shop'. Use 'schema.table'", code: 'invalid_argument' });
    expect(await db.query(`SELECT count(*) AS n FROM _dinobase.relationships`)).toEqual([{ n: 1 }]);
  });
});
