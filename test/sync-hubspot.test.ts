// HubSpot connector against the HubSpot sandbox: search-based incremental sync, associations, failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshot, startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const count = (table: string) => h.db.getRowCount('hubspot', table);

describe('HubSpot sync', () => {
  it('syncs contacts, companies, deals and owners with exact counts, unwrapped properties and associations', async () => {
    const result = await h.sync('hubspot');
    expect(result).toMatchObject({ status: 'success', error: null });
    const store = h.sandboxes.hubspot.store;
    expect(await count('contacts')).toBe(180);
    expect(await count('companies')).toBe(store.list('companies').length);
    expect(await count('deals')).toBe(store.list('deals').length);
    expect(await count('owners')).toBeGreaterThan(0);
    const columns = (await h.db.getColumns('hubspot', 'contacts')).map((c) => c.column_name);
    expect(columns).toEqual(expect.arrayContaining(['email', 'lifecyclestage', 'created_at', 'updated_at']));
    expect(
      (await h.db.getColumns('hubspot', 'deals')).find((c) => c.column_name === 'amount')?.data_type,
    ).toBe('DOUBLE');
    const [linked] = await h.db.query(
      `SELECT count(*) AS n FROM hubspot.deals d
       JOIN hubspot.deals__associations__contacts__results a ON a._dlt_parent_id = d.id
       JOIN hubspot.contacts c ON c.id = a.id`,
    );
    expect(linked!.n).toBe(await count('deals'));
  });

  it('syncs incrementally through the search API and picks up an edit', async () => {
    h.clock.advance(60_000);
    const contact = h.sandboxes.hubspot.store.list('contacts')[3]!;
    h.sandboxes.hubspot.update('contacts', contact.id, {
      lifecyclestage: 'evangelist',
      jobtitle: 'Chief Tester',
    });
    h.sandboxes.hubspot.clearRequests();
    const result = await h.sync('hubspot', { resources: ['contacts'] });
    expect(result.status).toBe('success');
    const searches = h.sandboxes.hubspot.requests.filter((r) => r.path === '/crm/v3/objects/contacts/search');
    expect(searches).toHaveLength(1);
    expect(result.rows_synced).toBeLessThan(5);
    expect(
      await h.db.query('SELECT lifecyclestage, jobtitle FROM hubspot.contacts WHERE id = ?', [contact.id]),
    ).toEqual([{ lifecyclestage: 'evangelist', jobtitle: 'Chief Tester' }]);
    expect(await count('contacts')).toBe(180);
  });

  it('recovers from a burst of 429s', async () => {
    h.sandboxes.hubspot.rateLimitBurst(2, 1);
    h.sandboxes.hubspot.clearRequests();
    expect((await h.sync('hubspot', { resources: ['owners'] })).status).toBe('success');
    expect(h.sandboxes.hubspot.requests.filter((r) => r.status === 429)).toHaveLength(2);
  });

  it('reports a bad token and leaves the tables untouched', async () => {
    const before = await snapshot(h.db, 'hubspot');
    const result = await h.sync('hubspot', { credentials: { access_token: 'pat-na1-nope' } });
    expect(result.status).toBe('error');
    expect(result.error).toMatch(
      /^hubspot\.contacts: page 1: HTTP 401 from POST .*Authentication credentials not found/,
    );
    expect(await snapshot(h.db, 'hubspot')).toEqual(before);
  });

  it('fails on a malformed second page without losing anything', async () => {
    const before = await snapshot(h.db, 'hubspot');
    h.sandboxes.hubspot.failNext({
      match: /^\/crm\/v3\/objects\/deals$/,
      body: '{"results": [{"id": "9',
      afterMatches: 1,
    });
    const result = await h.sync('hubspot', { resources: ['deals'] });
    expect(result.error).toMatch(/^hubspot\.deals: malformed JSON in page 2 from GET/);
    expect(await snapshot(h.db, 'hubspot')).toEqual(before);
  });

  it('fetches only the properties the spec names, as HubSpot returns only requested ones', async () => {
    h.clock.advance(60_000);
    h.sandboxes.hubspot.addProperty('companies', 'hs_ideal_customer_profile', () => 'tier_1');
    const company = h.sandboxes.hubspot.store.list('companies')[0]!;
    h.sandboxes.hubspot.update('companies', company.id, { city: 'Springfield' });
    const result = await h.sync('hubspot', { resources: ['companies'] });
    expect(result.status).toBe('success');
    expect(await h.db.query('SELECT city FROM hubspot.companies WHERE id = ?', [company.id])).toEqual([
      { city: 'Springfield' },
    ]);
    const columns = (await h.db.getColumns('hubspot', 'companies')).map((c) => c.column_name);
    expect(columns).not.toContain('hs_ideal_customer_profile');
  });
});
