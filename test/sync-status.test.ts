// What a source's history and status say after a stopped sync, a deleted source's data, and child tables, on real syncs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSources } from '../worker/query/catalog.ts';
import { loadSampleData } from '../worker/sample/load.ts';
import { SyncRunner } from '../worker/sync/runner.ts';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;
let runner: SyncRunner;
beforeAll(async () => {
  h = await startHarness();
  runner = new SyncRunner(h.db, h.engine, {
    credentials: (name) => h.sandboxes.credentials[name as 'stripe'],
  });
  await h.db.addSource({ name: 'stripe', type: 'stripe', base_url: h.base('stripe') });
});
afterAll(() => h.close());

const statusOf = async (name: string) => (await runner.status()).find((s) => s.name === name)!;
const tables = () => h.db.getTables('stripe');

describe('sync status on real syncs', () => {
  it('counts records and the rows they became, child tables included', async () => {
    const result = await runner.run('stripe');
    expect(result.status).toBe('success');
    let rows = 0;
    for (const table of await tables()) rows += await h.db.getRowCount('stripe', table);
    expect(result.rows_written).toBe(rows);
    // Subscriptions' items and invoices' lines are child tables: more rows than records.
    expect(result.rows_written).toBeGreaterThan(result.rows_synced);
    expect(result.tables_synced).toBe((await tables()).length);
  });

  it('reports a stopped sync as cancelled, not as an error, and keeps the previous data', async () => {
    const before = await h.db.getRowCount('stripe', 'customers');
    const succeeded = (await statusOf('stripe')).last_success_at;
    h.clock.advance(60_000);
    const result = await runner.run('stripe', {
      onProgress: (p) => {
        if (p.resource === 'customers') runner.cancel('stripe');
      },
    });
    expect(result).toMatchObject({
      status: 'cancelled',
      error: 'Sync of stripe interrupted: cancelled. Previous data is unchanged.',
    });
    expect((await runner.history({ name: 'stripe' }))[0]).toMatchObject({ status: 'cancelled' });
    expect(await statusOf('stripe')).toMatchObject({
      last_attempt: { status: 'cancelled' },
      last_success_at: succeeded,
    });
    expect(await h.db.getRowCount('stripe', 'customers')).toBe(before);
  });

  it('records Delete data in the history; the status says nothing synced since; syncing again works, repeatedly', async () => {
    for (let round = 0; round < 2; round++) {
      h.clock.advance(60_000);
      await h.db.removeSource('stripe', { dropData: true });
      await h.db.addSource({ name: 'stripe', type: 'stripe', base_url: h.base('stripe') });
      expect(await tables()).toEqual([]);
      const deleted = await statusOf('stripe');
      expect(deleted).toMatchObject({ last_success_at: null, data_deleted_at: expect.any(String) });
      expect((await runner.history({ name: 'stripe' }))[0]).toMatchObject({ status: 'deleted' });
      h.clock.advance(60_000);
      const result = await runner.run('stripe');
      expect(result).toMatchObject({ status: 'success', error: null });
      expect(await h.db.getRowCount('stripe', 'customers')).toBe(180);
      expect(await statusOf('stripe')).toMatchObject({
        last_success_at: expect.any(String),
        data_deleted_at: null,
        last_attempt: { status: 'success' },
      });
    }
  });

  it('replaces sample data whole on the next sync, after which the source is synced data again', async () => {
    await expect(loadSampleData(h.db)).rejects.toMatchObject({ code: 'would_replace' });
    await loadSampleData(h.db, { replace: true });
    const stripe = async () => (await listSources(h.db)).sources.find((s) => s.name === 'stripe')!;
    expect(await stripe()).toMatchObject({ type: 'sample' });
    expect(await h.db.getRowCount('stripe', 'charges')).toBeGreaterThan(0);
    await h.db.addSource({
      name: 'stripe',
      type: 'stripe',
      base_url: h.base('stripe'),
      resources: ['customers'],
    });
    h.clock.advance(60_000);
    expect((await runner.run('stripe')).status).toBe('success');
    // Charges were not synced: the sample's are gone rather than left beside real customers.
    expect(await h.db.getRowCount('stripe', 'charges')).toBe(0);
    expect(await h.db.getRowCount('stripe', 'customers')).toBe(180);
    expect(await stripe()).toMatchObject({ type: 'stripe', is_stale: false });
    await expect(loadSampleData(h.db)).rejects.toMatchObject({ code: 'would_replace' });
  });
});
