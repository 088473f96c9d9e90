// Scratch views and macros over synced tables keep answering after re-syncs against the Stripe and HubSpot sandboxes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isErrorResult, QueryEngine } from '../worker/query/engine.ts';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;
let engine: QueryEngine;

beforeAll(async () => {
  h = await startHarness();
  engine = new QueryEngine(h.db);
  for (const vendor of ['stripe', 'hubspot'] as const) expect((await h.sync(vendor)).status).toBe('success');
}, 120_000);
afterAll(() => h.close());

async function rows(sql: string) {
  const result = await engine.execute(sql);
  if (isErrorResult(result)) throw new Error(result.error);
  if (!('rows' in result)) throw new Error(`not rows: ${JSON.stringify(result)}`);
  return result.rows;
}

/** Creates a customer at the sandbox the way Stripe's API does (form-encoded POST). */
async function createCustomer(email: string): Promise<void> {
  const response = await fetch(`${h.base('stripe')}v1/customers`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${h.sandboxes.credentials.stripe.api_key}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ email, name: 'View Test' }).toString(),
  });
  expect(response.status).toBe(200);
}

const TRUTH = `SELECT
  (SELECT count(*) FROM stripe.customers) AS customers,
  (SELECT count(*) FROM stripe.customers c JOIN hubspot.contacts k ON k.email = c.email) AS matched`;

describe('a scratch view over synced tables across re-syncs', () => {
  it('answers with the new counts after a sync that adds rows and a column', async () => {
    await rows(`CREATE VIEW scratch.v AS
      SELECT count(DISTINCT c.id) AS customers, count(k.email) AS matched
      FROM stripe.customers c LEFT JOIN hubspot.contacts k ON k.email = c.email`);
    await rows('CREATE MACRO scratch.named(e) AS TABLE SELECT name FROM stripe.customers WHERE email = e');
    const [before] = await rows('SELECT * FROM scratch.v');
    expect(before).toEqual((await rows(TRUTH))[0]);
    const shared = String((await rows('SELECT k.email FROM hubspot.contacts k LIMIT 1'))[0]!.email);

    // Two new customers, one of them also a HubSpot contact, and a field Stripe just shipped (ALTER ADD COLUMN).
    h.clock.advance(60_000);
    await createCustomer('view-test-new@example.com');
    await createCustomer(shared);
    h.sandboxes.stripe.addField('customers', 'tax_status', () => 'exempt');
    const synced = await h.sync('stripe');
    expect(synced.status).toBe('success');
    expect(await rows("SELECT count(*) AS n FROM stripe.customers WHERE tax_status = 'exempt'")).toEqual([
      { n: expect.any(Number) },
    ]);

    const [after] = await rows('SELECT * FROM scratch.v');
    expect(after).toEqual((await rows(TRUTH))[0]);
    expect(Number(after!.customers)).toBe(Number(before!.customers) + 2);
    expect(Number(after!.matched)).toBeGreaterThan(Number(before!.matched));
    expect(await rows(`FROM scratch.named('view-test-new@example.com')`)).toEqual([{ name: 'View Test' }]);
  });

  it('still answers after a re-sync of the other side of the join', async () => {
    h.clock.advance(60_000);
    const synced = await h.sync('hubspot');
    expect(synced.status).toBe('success');
    expect((await rows('SELECT * FROM scratch.v'))[0]).toEqual((await rows(TRUTH))[0]);
    // The catalog still lists the view, so the sidebar keeps it.
    const scratch = (await engine.listSources()).sources.find((s) => s.name === 'scratch');
    expect(scratch?.tables.map((t) => t.name)).toContain('v');
  });
});
