// Stripe connector against the Stripe sandbox over loopback HTTP: full, incremental, failures, schema evolution.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshot, startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const count = (table: string) => h.db.getRowCount('stripe', table);

describe('Stripe sync', () => {
  it('syncs every resource in full with exact row counts and nested tables', async () => {
    const result = await h.sync('stripe');
    expect(result).toMatchObject({ status: 'success', error: null, source_type: 'stripe' });
    const store = h.sandboxes.stripe.store;
    for (const resource of [
      'customers',
      'subscriptions',
      'charges',
      'invoices',
      'products',
      'prices',
    ] as const) {
      expect(await count(resource)).toBe(store.list(resource).length);
    }
    expect(await count('customers')).toBe(180);
    // Nested objects flatten with __; lists of objects become child tables that carry the parent key.
    const [sub] = await h.db.query(
      `SELECT s.id, count(i.*) AS items FROM stripe.subscriptions s
       JOIN stripe.subscriptions__items__data i ON i._dlt_parent_id = s.id GROUP BY s.id LIMIT 1`,
    );
    expect(sub!.items).toBeGreaterThan(0);
    const columns = (await h.db.getColumns('stripe', 'customers')).map((c) => c.column_name);
    expect(columns).toEqual(
      expect.arrayContaining([
        'address__city',
        'invoice_settings__default_payment_method',
        'email',
        'created',
      ]),
    );
    expect(await h.db.getColumnAnnotations('stripe', 'charges')).toMatchObject({
      amount: { note: expect.stringMatching(/cents/) },
    });
    const [log] = await h.db.query(
      "SELECT status, tables_synced FROM _dinobase.sync_log WHERE connector_name = 'stripe'",
    );
    expect(log).toMatchObject({ status: 'success' });
  });

  it('syncs incrementally: only new records and edits (through the events feed)', async () => {
    h.clock.advance(60_000);
    const target = h.sandboxes.stripe.store.list('customers')[5]!;
    h.sandboxes.stripe.update('customers', target.id, {
      name: 'Renamed By Test',
      metadata: { tier: 'gold' },
    });
    h.sandboxes.stripe.clearRequests();
    const result = await h.sync('stripe');
    expect(result.status).toBe('success');
    const customerPages = h.sandboxes.stripe.requests.filter((r) => r.path === '/v1/customers');
    expect(customerPages.length).toBe(1);
    expect(customerPages[0]!.query['created[gte]']).toMatch(/^\d+$/);
    expect(
      h.sandboxes.stripe.requests.some((r) => r.path === '/v1/events' && r.query.type === 'customer.updated'),
    ).toBe(true);
    // Far fewer rows than a full sync: the boundary records plus the edit.
    expect(result.rows_synced).toBeLessThan(40);
    expect(
      await h.db.query('SELECT name, metadata__tier FROM stripe.customers WHERE id = ?', [target.id]),
    ).toEqual([{ name: 'Renamed By Test', metadata__tier: 'gold' }]);
    expect(await count('customers')).toBe(180);
  });

  it('recovers from a burst of 429s by honouring Retry-After', async () => {
    h.sandboxes.stripe.rateLimitBurst(3, 2);
    h.sandboxes.stripe.clearRequests();
    const result = await h.sync('stripe', { resources: ['products'] });
    expect(result.status).toBe('success');
    expect(h.sandboxes.stripe.requests.filter((r) => r.status === 429)).toHaveLength(3);
  });

  it('reports a bad key clearly and leaves every table untouched', async () => {
    const before = await snapshot(h.db, 'stripe');
    const result = await h.sync('stripe', { credentials: { api_key: 'sk_test_wrong_key_1234' } });
    expect(result.status).toBe('error');
    expect(result.error).toMatch(
      /^stripe\.customers: page 1: HTTP 401 from GET .*Invalid API Key provided: sk_test_\*+1234\. Check the credentials\.$/,
    );
    expect(result.error).not.toContain('sk_test_wrong_key_1234');
    expect(await snapshot(h.db, 'stripe')).toEqual(before);
    const [log] = await h.db.query(
      "SELECT status, error_message FROM _dinobase.sync_log WHERE connector_name = 'stripe' ORDER BY id DESC LIMIT 1",
    );
    expect(log).toMatchObject({ status: 'error', error_message: result.error });
  });

  it('fails on a malformed page mid-sync without losing anything, then syncs fine again', async () => {
    const before = await snapshot(h.db, 'stripe');
    const [state] = await h.db.query(
      "SELECT count(*) AS n FROM _dinobase.sync_state WHERE connector_name = 'stripe'",
    );
    const fresh = await h.sync('stripe', { resources: ['charges'] }); // grow a second page of charges to fail on
    expect(fresh.status).toBe('success');
    const afterFresh = await snapshot(h.db, 'stripe');
    h.sandboxes.stripe.failNext({
      match: /^\/v1\/invoices$/,
      body: '{"object":"list","data":[{"id":"in_',
      afterMatches: 0,
    });
    const result = await h.sync('stripe');
    expect(result.status).toBe('error');
    expect(result.error).toMatch(/^stripe\.invoices: malformed JSON in page 1 from GET .*\/v1\/invoices/);
    expect(await snapshot(h.db, 'stripe')).toEqual(afterFresh);
    expect(Object.keys(before)).toEqual(Object.keys(afterFresh));
    expect(
      await h.db.query("SELECT count(*) AS n FROM _dinobase.sync_state WHERE connector_name = 'stripe'"),
    ).toEqual([state]);
    expect((await h.sync('stripe')).status).toBe('success');
  });

  it('adds a column when the API starts sending a new field', async () => {
    h.clock.advance(60_000);
    h.sandboxes.stripe.addField('customers', 'tax_exempt_reason', () => 'reseller');
    const target = h.sandboxes.stripe.store.list('customers')[0]!;
    h.sandboxes.stripe.update('customers', target.id, { description: 'touched' });
    const result = await h.sync('stripe', { resources: ['customers'] });
    expect(result.status).toBe('success');
    expect((await h.db.getColumns('stripe', 'customers')).map((c) => c.column_name)).toContain(
      'tax_exempt_reason',
    );
    expect(
      await h.db.query('SELECT tax_exempt_reason FROM stripe.customers WHERE id = ?', [target.id]),
    ).toEqual([{ tax_exempt_reason: 'reseller' }]);
    expect(await count('customers')).toBe(180);
  });

  it('times out with a clear error and keeps the previous data', async () => {
    const before = await snapshot(h.db, 'stripe');
    const result = await h.engine.sync(
      'stripe',
      { type: 'stripe', base_url: h.base('stripe'), credentials: h.sandboxes.credentials.stripe },
      { timeoutMs: 1 },
    );
    expect(result.status).toBe('error');
    // Whether the first request was out by then depends on the machine; when it was, the message names it.
    expect(result.error).toMatch(
      /^Sync of stripe interrupted: timed out after 1 ms( while fetching stripe\.\w+ page \d+)?\. Previous data is unchanged\.$/,
    );
    expect(await snapshot(h.db, 'stripe')).toEqual(before);
  });
});
