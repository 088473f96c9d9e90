// Stripe sandbox writes over real HTTP: form-encoded updates, creates/deletes, idempotency, events, 429s and faults.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../worker/sample/dataset.ts';
import { ManualClock } from '../../worker/testing.ts';
import { serveSandboxes, type ServedSandboxes } from './test-server.ts';

const dataset = generateDataset();
const clock = new ManualClock(Date.UTC(2026, 0, 2));
const KEY = 'sk_test_dinobase_sandbox';
const FORM = 'application/x-www-form-urlencoded';
let served: ServedSandboxes;
let base: string;

type Obj = Record<string, unknown> & { id: string; created: number };
type List = { object: string; data: Obj[]; has_more: boolean; url: string };

const auth = { Authorization: `Bearer ${KEY}` };
async function get(path: string, headers: Record<string, string> = auth) {
  const res = await fetch(`${base}/stripe${path}`, { headers });
  return { res, body: (await res.json()) as Record<string, unknown> };
}
async function post(path: string, form: string, headers: Record<string, string> = {}, method = 'POST') {
  const res = await fetch(`${base}/stripe${path}`, {
    method,
    headers: { ...auth, 'Content-Type': FORM, ...headers },
    body: form,
  });
  const text = await res.text();
  return { res, text, body: JSON.parse(text) as Record<string, unknown> };
}
const list = async (path: string) => (await get(path)).body as unknown as List;

beforeAll(async () => {
  served = await serveSandboxes({ dataset, now: () => clock.now() });
  base = served.base;
});
afterAll(() => served.close());

describe('writes and events', () => {
  it('updates a customer from a form body, merging metadata and unsetting with empty strings', async () => {
    const c = dataset.stripe.customers[5] as unknown as Obj;
    clock.advance(60_000);
    const { res, body } = await post(
      `/v1/customers/${c.id}`,
      'name=Ada+Lovelace&metadata[plan]=pro&metadata[company]=&address[city]=Berlin&balance=250',
    );
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ id: c.id, name: 'Ada Lovelace', balance: 250, metadata: { plan: 'pro' } });
    expect((body.metadata as Record<string, string>).company).toBeUndefined();
    expect((body.address as Record<string, string>).city).toBe('Berlin');
    expect((body.address as Record<string, string>).line1).toBe((c.address as Record<string, string>).line1);
    expect(served.sandboxes.stripe.store.customers.get(c.id)?.name).toBe('Ada Lovelace');
    // The dataset handed to the sandbox is never modified.
    expect(dataset.stripe.customers[5]?.name).not.toBe('Ada Lovelace');

    const events = await list(
      `/v1/events?type=customer.updated&created[gte]=${Math.floor(clock.now() / 1000)}`,
    );
    const evt = events.data[0] as Obj & {
      data: { object: Obj; previous_attributes: Record<string, unknown> };
    };
    expect(evt).toMatchObject({
      object: 'event',
      type: 'customer.updated',
      livemode: false,
      pending_webhooks: 0,
    });
    expect(evt.id).toMatch(/^evt_/);
    expect(evt.created).toBe(Math.floor(clock.now() / 1000));
    expect(evt.data.object.name).toBe('Ada Lovelace');
    expect(evt.data.previous_attributes).toMatchObject({
      name: c.name,
      balance: 0,
      metadata: { plan: null },
    });
    expect((evt.request as { id: string }).id).toMatch(/^req_/);
    expect((await list('/v1/events?type=customer.*')).data.length).toBeGreaterThan(0);
    expect((await list('/v1/events?types[]=product.updated')).data).toHaveLength(0);
  });

  it('rejects JSON bodies, unknown params and bad types', async () => {
    const id = dataset.stripe.customers[6]?.id;
    const json = await fetch(`${base}/stripe/v1/customers/${id}`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: '{"name":"x"}',
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    const unknown = await post(`/v1/customers/${id}`, 'foo=bar');
    expect(unknown.res.status).toBe(400);
    expect(unknown.body).toEqual({
      error: { message: 'Received unknown parameter: foo', param: 'foo', type: 'invalid_request_error' },
    });
    expect((await post(`/v1/customers/${id}`, 'balance=lots')).body.error).toMatchObject({
      param: 'balance',
    });
  });

  it('creates and deletes customers; deleted ones leave lists', async () => {
    clock.advance(1000);
    const created = await post(
      '/v1/customers',
      'email=new.person@example.com&name=New+Person&metadata[src]=test',
    );
    expect(created.res.status).toBe(200);
    const id = created.body.id as string;
    expect(id).toMatch(/^cus_[A-Za-z0-9]{14}$/);
    expect(created.body.created).toBe(Math.floor(clock.now() / 1000));
    expect((await list('/v1/customers?limit=1')).data[0]?.id).toBe(id);
    const del = await post(`/v1/customers/${id}`, '', {}, 'DELETE');
    expect(del.body).toEqual({ id, object: 'customer', deleted: true });
    expect((await list('/v1/customers?limit=1')).data[0]?.id).not.toBe(id);
    expect((await get(`/v1/customers/${id}`)).body).toEqual({ id, object: 'customer', deleted: true });
    const types = (await list('/v1/events?limit=3')).data.map((e) => e.type);
    expect(types).toEqual(['customer.deleted', 'customer.created', 'customer.updated']);
  });

  it('cancels subscriptions on DELETE and updates them with cancel_at_period_end', async () => {
    const [a, b] = dataset.stripe.subscriptions.filter((s) => s.status === 'active');
    clock.advance(1000);
    const upd = await post(`/v1/subscriptions/${a?.id}`, 'cancel_at_period_end=true&metadata[reason]=budget');
    expect(upd.body).toMatchObject({ cancel_at_period_end: true, cancel_at: a?.current_period_end });
    const del = await post(`/v1/subscriptions/${b?.id}`, '', {}, 'DELETE');
    expect(del.body).toMatchObject({ status: 'canceled', canceled_at: Math.floor(clock.now() / 1000) });
    const evts = (await list('/v1/events?type=customer.subscription.*&limit=2')).data.map((e) => e.type);
    expect(evts).toEqual(['customer.subscription.deleted', 'customer.subscription.updated']);
  });

  it('replays an Idempotency-Key byte-for-byte without applying twice, and rejects a reused key', async () => {
    const id = dataset.stripe.customers[7]?.id;
    const before = served.sandboxes.stripe.store.events.size;
    const first = await post(`/v1/customers/${id}`, 'metadata[n]=1', { 'Idempotency-Key': 'key-1' });
    clock.advance(5000);
    const again = await post(`/v1/customers/${id}`, 'metadata[n]=1', { 'Idempotency-Key': 'key-1' });
    expect(again.res.status).toBe(200);
    expect(again.text).toBe(first.text);
    expect(again.res.headers.get('Idempotent-Replayed')).toBe('true');
    expect(first.res.headers.get('Idempotent-Replayed')).toBeNull();
    expect(served.sandboxes.stripe.store.events.size).toBe(before + 1);
    const other = await post(`/v1/customers/${id}`, 'metadata[n]=2', { 'Idempotency-Key': 'key-1' });
    expect(other.res.status).toBe(400);
    expect(other.body).toEqual({
      error: {
        message:
          "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than 'key-1' if you meant to execute a different request.",
        type: 'idempotency_error',
      },
    });
    expect(served.sandboxes.stripe.store.customers.get(id ?? '')?.metadata).toMatchObject({ n: '1' });
  });

  it('control.update and addField change what the API serves', async () => {
    const stripe = served.sandboxes.stripe;
    const id = dataset.stripe.products[0]?.id ?? '';
    stripe.update('products', id, { name: 'Renamed' });
    expect((await get(`/v1/products/${id}`)).body.name).toBe('Renamed');
    expect((await list('/v1/events?type=product.updated')).data[0]?.request).toEqual({
      id: null,
      idempotency_key: null,
    });
    stripe.addField(
      'customers',
      'tax_country',
      (c) => (c.address as { country?: string } | null)?.country ?? null,
    );
    expect((await list('/v1/customers?limit=3')).data.every((c) => 'tax_country' in c)).toBe(true);
  });
});

describe('rate limits and faults', () => {
  it('rateLimitBurst answers Stripe’s 429 with Retry-After', async () => {
    served.sandboxes.stripe.rateLimitBurst(2, 3);
    for (let i = 0; i < 2; i++) {
      const { res, body } = await get('/v1/customers?limit=1');
      expect(res.status).toBe(429);
      expect(res.headers.get('Retry-After')).toBe('3');
      expect(body).toEqual({
        error: {
          message:
            'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
          type: 'rate_limit_error',
          code: 'rate_limit',
        },
      });
    }
    expect((await get('/v1/customers?limit=1')).res.status).toBe(200);
  });

  it('enforces a real sliding window per credential', async () => {
    const c2 = new ManualClock(Date.UTC(2026, 0, 3));
    const small = await serveSandboxes({
      dataset,
      now: () => c2.now(),
      rateLimit: { requests: 3, perSeconds: 10 },
    });
    try {
      const hit = () => fetch(`${small.base}/stripe/v1/products`, { headers: auth });
      for (let i = 0; i < 3; i++) expect((await hit()).status).toBe(200);
      c2.advance(4000);
      const limited = await hit();
      expect(limited.status).toBe(429);
      expect(limited.headers.get('Retry-After')).toBe('6');
      expect(((await limited.json()) as { error: { type: string } }).error.type).toBe('rate_limit_error');
      c2.advance(6000);
      expect((await hit()).status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it('failNext lets afterMatches requests through, then fails matching paths only, and logs requests', async () => {
    const stripe = served.sandboxes.stripe;
    stripe.clearRequests();
    stripe.failNext({
      match: /^\/v1\/customers$/,
      status: 500,
      body: '{"error":{"type":"api_error"}}',
      afterMatches: 1,
      count: 2,
    });
    expect((await get('/v1/customers?limit=1')).res.status).toBe(200);
    expect((await get('/v1/products')).res.status).toBe(200);
    const failed = await get('/v1/customers?limit=1&starting_after=x');
    expect(failed.res.status).toBe(500);
    expect(failed.body).toEqual({ error: { type: 'api_error' } });
    expect((await get('/v1/customers?limit=1')).res.status).toBe(500);
    expect((await get('/v1/customers?limit=1')).res.status).toBe(200);
    expect(stripe.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['GET', '/v1/customers', 200],
      ['GET', '/v1/products', 200],
      ['GET', '/v1/customers', 500],
      ['GET', '/v1/customers', 500],
      ['GET', '/v1/customers', 200],
    ]);
    expect(stripe.requests[2]?.query).toEqual({ limit: '1', starting_after: 'x' });
    expect(JSON.stringify(stripe.requests)).not.toContain(KEY);
  });
});
