import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DinobaseDB } from '../db.ts';
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
  it('loads the RevOps invariants through Arrow, annotated and logged', async () => {
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
    expect(stripe).not.toHaveProperty('is_stale');
  });

  it('is repeatable: loading again replaces instead of duplicating', async () => {
    await loadSampleData(db);
    expect(await value('SELECT count(*) FROM stripe.customers')).toBe(180);
    expect(await value('SELECT count(DISTINCT id) FROM stripe.charges')).toBe(
      await value('SELECT count(*) FROM stripe.charges'),
    );
  });
});
