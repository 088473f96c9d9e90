// Stripe sandbox reads over real HTTP: auth errors and headers, newest-first paging, filters, retrieve and expand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../worker/sample/dataset.ts';
import { ManualClock } from '../../worker/testing.ts';
import { serveSandboxes, type ServedSandboxes } from './test-server.ts';

const dataset = generateDataset();
const clock = new ManualClock(Date.UTC(2026, 0, 2));
const KEY = 'sk_test_dinobase_sandbox';
let served: ServedSandboxes;
let base: string;

type Obj = Record<string, unknown> & { id: string; created: number };
type List = { object: string; data: Obj[]; has_more: boolean; url: string };

const auth = { Authorization: `Bearer ${KEY}` };
async function get(path: string, headers: Record<string, string> = auth) {
  const res = await fetch(`${base}/stripe${path}`, { headers });
  return { res, body: (await res.json()) as Record<string, unknown> };
}
const list = async (path: string) => (await get(path)).body as unknown as List;

beforeAll(async () => {
  served = await serveSandboxes({ dataset, now: () => clock.now() });
  base = served.base;
});
afterAll(() => served.close());

describe('auth and headers', () => {
  it('rejects a missing key with Stripe’s exact 401 body', async () => {
    const { res, body } = await get('/v1/customers', {});
    expect(res.status).toBe(401);
    expect(body).toEqual({
      error: {
        message:
          "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
        type: 'invalid_request_error',
      },
    });
  });

  it('rejects a wrong key, masking all but its last four characters', async () => {
    const { res, body } = await get('/v1/customers', { Authorization: 'Bearer sk_test_nottherightkeyWXYZ' });
    expect(res.status).toBe(401);
    expect(body).toEqual({
      error: {
        message: `Invalid API Key provided: sk_test_${'*'.repeat('nottherightkey'.length)}WXYZ`,
        type: 'invalid_request_error',
      },
    });
  });

  it('accepts HTTP Basic with the key as username and sends Request-Id and Stripe-Version', async () => {
    const { res } = await get('/v1/customers?limit=1', { Authorization: `Basic ${btoa(`${KEY}:`)}` });
    expect(res.status).toBe(200);
    expect(res.headers.get('Request-Id')).toMatch(/^req_[A-Za-z0-9]{14}$/);
    expect(res.headers.get('Stripe-Version')).toMatch(/^\d{4}-\d{2}-\d{2}\.\w+$/);
  });

  it('answers unknown routes with Stripe’s 404', async () => {
    const { res, body } = await get('/v1/nope');
    expect(res.status).toBe(404);
    expect(body.error).toEqual({
      message:
        'Unrecognized request URL (GET: /v1/nope). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.',
      type: 'invalid_request_error',
    });
  });
});

describe('lists', () => {
  it('walks every customer exactly once, newest first, via starting_after', async () => {
    const seen: Obj[] = [];
    let after = '';
    for (let pages = 0; pages < 100; pages++) {
      const page = await list(`/v1/customers?limit=17${after ? `&starting_after=${after}` : ''}`);
      expect(page.object).toBe('list');
      expect(page.url).toBe('/v1/customers');
      seen.push(...page.data);
      if (!page.has_more) break;
      after = page.data.at(-1)?.id ?? '';
    }
    expect(seen).toHaveLength(dataset.stripe.customers.length);
    expect(new Set(seen.map((c) => c.id)).size).toBe(seen.length);
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1] as Obj, seen[i] as Obj];
      expect(a.created > b.created || (a.created === b.created && a.id > b.id)).toBe(true);
    }
  });

  it('pages backwards with ending_before', async () => {
    const all = (await list('/v1/charges?limit=30')).data;
    const back = await list(`/v1/charges?limit=5&ending_before=${all[20]?.id}`);
    expect(back.data.map((c) => c.id)).toEqual(all.slice(15, 20).map((c) => c.id));
    expect(back.has_more).toBe(true);
  });

  it('validates limit and cursors with Stripe’s errors', async () => {
    let r = await get('/v1/customers?limit=101');
    expect(r.res.status).toBe(400);
    expect(r.body).toEqual({
      error: {
        message: 'This value must be less than or equal to 100.',
        param: 'limit',
        type: 'invalid_request_error',
      },
    });
    r = await get('/v1/customers?limit=0');
    expect(r.body.error).toMatchObject({
      message: 'This value must be greater than or equal to 1.',
      param: 'limit',
    });
    expect((await list('/v1/customers')).data).toHaveLength(10);
    r = await get('/v1/customers?starting_after=cus_doesnotexist1');
    expect(r.res.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'resource_missing', param: 'starting_after' });
    r = await get('/v1/customers?foo=1');
    expect(r.body.error).toEqual({
      message: 'Received unknown parameter: foo',
      param: 'foo',
      type: 'invalid_request_error',
    });
  });

  it('filters by created ranges and plain created', async () => {
    const customers = dataset.stripe.customers;
    const pivot = customers[100]?.created ?? 0;
    const page = await list(`/v1/customers?limit=100&created[gte]=${pivot}`);
    const expected = customers.filter((c) => c.created >= pivot).length;
    expect(page.data).toHaveLength(Math.min(100, expected));
    expect(page.data.every((c) => c.created >= pivot)).toBe(true);
    const window = await list(
      `/v1/customers?limit=100&created[gt]=${pivot}&created[lte]=${pivot + 86_400 * 30}`,
    );
    expect(window.data.every((c) => c.created > pivot && c.created <= pivot + 86_400 * 30)).toBe(true);
    const exact = await list(`/v1/customers?created=${pivot}`);
    expect(exact.data.map((c) => c.id)).toContain(customers[100]?.id);
  });

  it('filters by customer, email and status like Stripe (canceled subscriptions hidden by default)', async () => {
    const sub = dataset.stripe.subscriptions.find((s) => s.status === 'canceled');
    const c = dataset.stripe.customers[3];
    expect(
      (await list(`/v1/customers?email=${encodeURIComponent(c?.email ?? '')}`)).data.map((x) => x.id),
    ).toEqual([c?.id]);
    const visible = dataset.stripe.subscriptions.filter((s) => s.status !== 'canceled').length;
    const all = dataset.stripe.subscriptions.length;
    expect((await list('/v1/subscriptions?limit=100&status=all')).data.length).toBe(Math.min(100, all));
    const walk = async (q: string) => {
      let n = 0;
      let after = '';
      for (;;) {
        const p = await list(`/v1/subscriptions?limit=100${q}${after ? `&starting_after=${after}` : ''}`);
        n += p.data.length;
        if (!p.has_more) return n;
        after = p.data.at(-1)?.id ?? '';
      }
    };
    expect(await walk('')).toBe(visible);
    expect(await walk('&status=canceled')).toBe(all - visible);
    const mine = await list(`/v1/subscriptions?status=all&customer=${sub?.customer}`);
    expect(mine.data.map((s) => s.id)).toContain(sub?.id);
    expect(mine.data.every((s) => s.customer === sub?.customer)).toBe(true);
    const paid = await list('/v1/invoices?status=paid&limit=100');
    expect(paid.data.length).toBeGreaterThan(0);
    expect(paid.data.every((i) => i.status === 'paid')).toBe(true);
  });

  it('retrieves by id, 404s like Stripe, and expands references', async () => {
    const charge = dataset.stripe.charges[0];
    const { body } = await get(`/v1/charges/${charge?.id}?expand[]=customer`);
    expect((body.customer as Obj).id).toBe(charge?.customer);
    const missing = await get('/v1/customers/cus_x');
    expect(missing.res.status).toBe(404);
    expect(missing.body).toEqual({
      error: {
        code: 'resource_missing',
        doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
        message: "No such customer: 'cus_x'",
        param: 'id',
        type: 'invalid_request_error',
      },
    });
    const expanded = await list('/v1/subscriptions?limit=2&expand[]=data.customer');
    expect(typeof expanded.data[0]?.customer).toBe('object');
  });
});
