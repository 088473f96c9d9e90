// Write-back to the Stripe sandbox over loopback: update, insert and delete customers, form encoding, re-sync.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MutationEngine } from '../worker/query/mutations.ts';
import { startHarness, type Harness } from './harness.ts';
import {
  deletePlan,
  insertPlan,
  localRow,
  updatePlan,
  writeBackFor,
  writesIn,
  type Wire,
} from './writeback-kit.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  expect((await h.sync('stripe', { resources: ['customers'] })).status).toBe('success');
});
afterAll(() => h.close());

const customers = { source: 'stripe', table: 'customers' } as const;

describe('Stripe write-back', () => {
  it('previews on the API host this source writes to (the sandbox), not api.stripe.com', async () => {
    await h.db.addSource({ name: 'stripe', type: 'stripe' });
    const target = h.sandboxes.stripe.store.list('customers')[1]!;
    const mutations = new MutationEngine(h.db, { clock: h.clock, writer: writeBackFor(h) });
    const preview = await mutations.handleSql(`DELETE FROM stripe.customers WHERE id = '${target.id}'`);
    if (!('preview' in preview)) throw new Error(`expected a preview: ${JSON.stringify(preview)}`);
    const host = new URL(h.base('stripe')).host;
    expect(preview.preview.api).toMatchObject({ method: 'DELETE', host });
    expect(preview.preview.side_effects[0]).toContain(`on ${host},`);
    await mutations.cancel(preview.mutation_id);
  });

  it('updates a customer: form-encoded nested fields, idempotency key, local row and re-sync agree', async () => {
    h.clock.advance(60_000);
    const target = h.sandboxes.stripe.store.list('customers')[3]!;
    const plan = await updatePlan(h.db, customers, [
      { key: { id: target.id }, set: { name: 'Acme Renamed', address__city: 'Lisbon' } },
    ]);
    const wire: Wire[] = [];
    h.sandboxes.stripe.clearRequests();
    const results = await writeBackFor(h, { wire }).execute(plan);
    expect(results).toEqual([{ index: 0, id: target.id, status: 'ok', http_status: 200, local: 'updated' }]);
    const stored = h.sandboxes.stripe.store.get('customers', target.id)!;
    expect(stored.name).toBe('Acme Renamed');
    expect((stored.address as { city: string }).city).toBe('Lisbon');
    // One stale-check read, then exactly one write.
    expect(h.sandboxes.stripe.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /v1/customers/${target.id}`,
      `POST /v1/customers/${target.id}`,
    ]);
    const post = wire.find((w) => w.method === 'POST')!;
    expect(new URLSearchParams(post.body!).get('address[city]')).toBe('Lisbon');
    expect(new URLSearchParams(post.body!).get('name')).toBe('Acme Renamed');
    expect(post.headers.get('idempotency-key')).toBe(`${plan.mutation_id}:0`);
    expect(post.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    const local = await localRow(h.db, 'stripe', 'customers', { id: target.id });
    expect(local).toMatchObject({ name: 'Acme Renamed', address__city: 'Lisbon' });
    h.clock.advance(60_000);
    expect((await h.sync('stripe', { resources: ['customers'] })).status).toBe('success');
    expect(await localRow(h.db, 'stripe', 'customers', { id: target.id })).toEqual(local);
  });

  it('unsets a field with an empty form value and writes NULL locally', async () => {
    const target = h.sandboxes.stripe.store.list('customers')[20]!;
    h.sandboxes.stripe.update('customers', target.id, { description: 'to be cleared' });
    h.clock.advance(60_000);
    expect((await h.sync('stripe', { resources: ['customers'] })).status).toBe('success');
    const plan = await updatePlan(h.db, customers, [{ key: { id: target.id }, set: { description: null } }]);
    const wire: Wire[] = [];
    const [result] = await writeBackFor(h, { wire }).execute(plan);
    expect(result).toMatchObject({ status: 'ok', local: 'updated' });
    expect(wire.at(-1)!.body).toBe('description=');
    expect(h.sandboxes.stripe.store.get('customers', target.id)!.description).toBeNull();
    expect((await localRow(h.db, 'stripe', 'customers', { id: target.id }))!.description).toBeNull();
  });

  it('inserts a customer: the created id comes back and the local table gains the row', async () => {
    h.clock.advance(60_000);
    const before = h.sandboxes.stripe.store.list('customers').length;
    const plan = insertPlan(customers, [
      { name: 'New Co', email: 'billing@new.example', address__country: 'PT', balance: 0 },
    ]);
    h.sandboxes.stripe.clearRequests();
    const [result] = await writeBackFor(h).execute(plan);
    expect(result).toMatchObject({ index: 0, status: 'ok', http_status: 200, local: 'inserted' });
    expect(result!.created_id).toMatch(/^cus_/);
    expect(writesIn(h.sandboxes.stripe.requests).map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/customers',
    ]);
    const created = h.sandboxes.stripe.store.get('customers', result!.created_id!)!;
    expect(created).toMatchObject({ name: 'New Co', email: 'billing@new.example', balance: 0 });
    expect(h.sandboxes.stripe.store.list('customers')).toHaveLength(before + 1);
    const local = await localRow(h.db, 'stripe', 'customers', { id: result!.created_id! });
    expect(local).toMatchObject({
      id: result!.created_id,
      name: 'New Co',
      email: 'billing@new.example',
      address__country: 'PT',
      created: created.created,
      _dlt_id: result!.created_id,
    });
    h.clock.advance(60_000);
    expect((await h.sync('stripe', { resources: ['customers'] })).status).toBe('success');
    expect(await h.db.getRowCount('stripe', 'customers')).toBe(before + 1);
    expect(await localRow(h.db, 'stripe', 'customers', { id: result!.created_id! })).toMatchObject({
      name: 'New Co',
      email: 'billing@new.example',
      address__country: 'PT',
    });
  });

  it('deletes a customer at Stripe and locally; executing again sends nothing', async () => {
    const target = h.sandboxes.stripe.store.list('customers')[10]!;
    const plan = await deletePlan(h.db, customers, [{ key: { id: target.id } }]);
    const rowsBefore = await h.db.getRowCount('stripe', 'customers');
    h.sandboxes.stripe.clearRequests();
    const writer = writeBackFor(h);
    const results = await writer.execute(plan);
    expect(results).toEqual([{ index: 0, id: target.id, status: 'ok', http_status: 200, local: 'deleted' }]);
    expect(h.sandboxes.stripe.store.get('customers', target.id)).toBeUndefined();
    expect(await localRow(h.db, 'stripe', 'customers', { id: target.id })).toBeUndefined();
    expect(await h.db.getRowCount('stripe', 'customers')).toBe(rowsBefore - 1);
    expect(writesIn(h.sandboxes.stripe.requests)).toHaveLength(1);
    h.sandboxes.stripe.clearRequests();
    expect(await writer.execute(plan)).toEqual(results);
    expect(h.sandboxes.stripe.requests).toEqual([]);
    h.clock.advance(60_000);
    expect((await h.sync('stripe', { resources: ['customers'] })).status).toBe('success');
    expect(await localRow(h.db, 'stripe', 'customers', { id: target.id })).toBeUndefined();
  });

  it('a delete of a customer already gone at Stripe is ok without a DELETE', async () => {
    const target = h.sandboxes.stripe.store.list('customers')[11]!;
    const plan = await deletePlan(h.db, customers, [{ key: { id: target.id } }]);
    await writeBackFor(h).execute(await deletePlan(h.db, customers, [{ key: { id: target.id } }]));
    h.sandboxes.stripe.clearRequests();
    const [result] = await writeBackFor(h).execute(plan);
    expect(result).toMatchObject({ status: 'ok', note: 'already deleted at the source' });
    expect(writesIn(h.sandboxes.stripe.requests)).toEqual([]);
  });

  it('a table without a write endpoint fails every row with the writable list', async () => {
    const plan = insertPlan({ source: 'stripe', table: 'charges' }, [{ amount: 100 }, { amount: 200 }]);
    const results = await writeBackFor(h).execute(plan);
    expect(results.map((r) => r.status)).toEqual(['failed', 'failed']);
    expect(results[0]!.error).toMatch(
      /^stripe has no insert endpoint for table "charges"; writable: insert customers, update customers, /,
    );
  });
});
