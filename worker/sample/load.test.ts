import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DinobaseDB } from '../db.ts';
import { ConfigError } from '../errors.ts';
import { loadTables } from '../ingest/load.ts';
import { normalize } from '../ingest/normalize.ts';
import { QueryEngine, type QueryResult } from '../query/engine.ts';
import { memoryDB } from '../testing.ts';
import { loadSampleData } from './load.ts';

let db: DinobaseDB;
let engine: QueryEngine;
beforeAll(async () => {
  db = memoryDB();
  engine = new QueryEngine(db);
});
afterAll(() => db.close());

async function value(sql: string) {
  const result = (await engine.execute(sql)) as QueryResult;
  if ('error' in result) throw new Error(String(result.error));
  return Object.values(result.rows[0]!)[0];
}

describe('loadSampleData', () => {
  it('loads the RevOps invariants through Arrow, annotated, marked as sample data and not as a sync', async () => {
    const progress: string[] = [];
    const result = await loadSampleData(db, { onProgress: (p) => progress.push(`${p.source}.${p.table}`) });
    expect(result.sources.map((s) => s.name)).toEqual(['stripe', 'hubspot']);
    expect(progress).toContain('stripe.customers');
    expect(progress).toContain('hubspot.deals');
    expect(await value('SELECT count(*) FROM stripe.customers')).toBe(180);
    expect(await value('SELECT count(*) FROM hubspot.contacts')).toBe(180);
    expect(
      await value(
        'SELECT count(*) FROM stripe.customers c WHERE c.email NOT IN (SELECT email FROM hubspot.contacts WHERE email IS NOT NULL)',
      ),
    ).toBe(20);
    expect(
      await value('SELECT count(*) FROM stripe.customers c JOIN hubspot.contacts h ON c.email = h.email'),
    ).toBe(160);
    expect(await value('SELECT count(*) FROM stripe.customers WHERE delinquent')).toBeGreaterThan(0);
    expect(await value("SELECT count(*) FROM hubspot.deals WHERE dealstage = 'closedwon'")).toBeGreaterThan(
      0,
    );
    expect(await value('SELECT typeof(amount) FROM hubspot.deals LIMIT 1')).toBe('DOUBLE');
    expect(await value('SELECT typeof(created) FROM stripe.customers LIMIT 1')).toBe('BIGINT');
    expect(await value('SELECT count(*) FROM stripe.subscriptions__items__data')).toBeGreaterThan(0);
    expect(await db.getColumnAnnotations('stripe', 'charges')).toMatchObject({
      amount: { note: expect.stringMatching(/cents/) },
    });
    const { sources } = await engine.listSources();
    const stripe = sources.find((s) => s.name === 'stripe');
    expect(stripe?.type).toBe('sample');
    expect(stripe?.last_sync).toMatch(/^\d{4}-\d\d-\d\d /);
    expect(stripe).not.toHaveProperty('is_stale');
    // A sample load is not a sync: nothing in the sync history.
    expect(await db.query('SELECT count(*) AS n FROM _dinobase.sync_log')).toEqual([{ n: 0 }]);
  });

  it('is repeatable: loading again replaces instead of duplicating', async () => {
    await loadSampleData(db);
    expect(await value('SELECT count(*) FROM stripe.customers')).toBe(180);
    expect(await value('SELECT count(DISTINCT id) FROM stripe.charges')).toBe(
      await value('SELECT count(*) FROM stripe.charges'),
    );
  });

  it('never replaces synced data unless asked to, and says which sources hold it', async () => {
    // hubspot as a sync leaves it: tables in the schema, a cursor, and no sample marker.
    const contacts = normalize([{ id: 'real-1', email: 'real@example.com' }], {
      table: 'contacts',
      primaryKey: ['id'],
    });
    await db.removeSource('hubspot', { dropData: true });
    await loadTables(() => db.connect(), 'hubspot', [
      { tables: contacts, root: 'contacts', disposition: 'merge' },
    ]);
    await db.updateTableMetadata('hubspot', 'hubspot');
    await db.run(
      `INSERT INTO _dinobase.sync_state VALUES ('hubspot', 'contacts', '"2026-01-01"', NULL, TIMESTAMP '2026-01-01')`,
    );
    const error = await loadSampleData(db).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      code: 'would_replace',
      message: 'hubspot (1 row) holds synced data, which loading the sample data would replace.',
    });
    expect(await value("SELECT string_agg(id, ',') FROM hubspot.contacts")).toBe('real-1');
    const result = await loadSampleData(db, { replace: true });
    expect(result.sources.map((s) => s.name)).toEqual(['stripe', 'hubspot']);
    expect(await value('SELECT count(*) FROM hubspot.contacts')).toBe(180);
    expect(await value("SELECT count(*) FROM hubspot.contacts WHERE id = 'real-1'")).toBe(0);
    // The next sync of hubspot starts over instead of continuing from the replaced data's cursor.
    expect(await db.query("SELECT * FROM _dinobase.sync_state WHERE connector_name = 'hubspot'")).toEqual([]);
    // Sample data over sample data needs no confirmation.
    await expect(loadSampleData(db)).resolves.toMatchObject({ rows_loaded: result.rows_loaded });
  });
});
