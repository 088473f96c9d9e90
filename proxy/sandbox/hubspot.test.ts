// HubSpot sandbox over real HTTP: auth, cursor paging, property selection, search, writes, 429s and faults.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../worker/sample/dataset.ts';
import { ManualClock } from '../../worker/testing.ts';
import { serveSandboxes, type ServedSandboxes } from './test-server.ts';

const dataset = generateDataset();
const clock = new ManualClock(Date.UTC(2026, 0, 2, 12));
const TOKEN = 'pat-na1-dinobase-sandbox';
const auth = { Authorization: `Bearer ${TOKEN}` };
let served: ServedSandboxes;
let base: string;

type HsObject = {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  associations?: Record<string, { results: { id: string; type: string }[] }>;
};
type HsPage = { results: HsObject[]; paging?: { next: { after: string; link?: string } }; total?: number };

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = auth) {
  const res = await fetch(`${base}/hubspot${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { res, body: (text ? JSON.parse(text) : null) as Record<string, unknown> & HsPage };
}
const search = (type: string, body: unknown) => call('POST', `/crm/v3/objects/${type}/search`, body);

beforeAll(async () => {
  served = await serveSandboxes({ dataset, now: () => clock.now() });
  base = served.base;
});
afterAll(() => served.close());

describe('auth', () => {
  it.each([
    ['missing', {}],
    ['wrong', { Authorization: 'Bearer pat-na1-wrong' }],
  ])('rejects a %s token with HubSpot’s 401 body', async (_label, headers) => {
    const { res, body } = await call('GET', '/crm/v3/objects/contacts', undefined, headers);
    expect(res.status).toBe(401);
    expect(body).toEqual({
      status: 'error',
      message:
        'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
      correlationId: expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      ),
      category: 'INVALID_AUTHENTICATION',
    });
  });
});

describe('lists', () => {
  it('walks every contact once in id order by following paging.next.after', async () => {
    const ids: string[] = [];
    let after = '';
    for (let i = 0; i < 100; i++) {
      const { body } = await call(
        'GET',
        `/crm/v3/objects/contacts?limit=25${after ? `&after=${after}` : ''}`,
      );
      ids.push(...body.results.map((r) => r.id));
      if (!body.paging) break;
      expect(body.paging.next.link).toBe(
        `${base}/hubspot/crm/v3/objects/contacts?limit=25&after=${encodeURIComponent(body.paging.next.after)}`,
      );
      after = body.paging.next.after;
    }
    expect(ids).toEqual(dataset.hubspot.contacts.map((c) => c.id));
  });

  it('follows absolute paging links for deals', async () => {
    let url: string | undefined = `${base}/hubspot/crm/v3/objects/deals?limit=100`;
    let n = 0;
    while (url) {
      const page = (await (await fetch(url, { headers: auth })).json()) as HsPage;
      n += page.results.length;
      url = page.paging?.next.link;
    }
    expect(n).toBe(dataset.hubspot.deals.length);
  });

  it('returns default properties, only requested ones otherwise, and associations on request', async () => {
    const { body } = await call('GET', '/crm/v3/objects/contacts?limit=1');
    expect(Object.keys(body.results[0]?.properties ?? {}).sort()).toEqual(
      ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'].sort(),
    );
    expect(body.results[0]).not.toHaveProperty('associations');
    const picked = await call('GET', '/crm/v3/objects/contacts?limit=1&properties=city,jobtitle,nope');
    expect(Object.keys(picked.body.results[0]?.properties ?? {}).sort()).toEqual(
      ['city', 'createdate', 'hs_object_id', 'jobtitle', 'lastmodifieddate'].sort(),
    );
    const deal = dataset.hubspot.deals[0];
    const withAssoc = await call('GET', '/crm/v3/objects/deals?limit=1&associations=contacts,companies');
    expect(withAssoc.body.results[0]?.associations?.contacts?.results).toEqual(
      deal?.associations.contacts.results,
    );
    const contact = await call(
      'GET',
      `/crm/v3/objects/contacts/${deal?.associations.contacts.results[0]?.id}?associations=deals`,
    );
    const associations = (contact.body as unknown as HsObject).associations;
    expect(associations?.deals?.results.map((a) => a.id)).toContain(deal?.id);
  });

  it('enforces limit bounds and lists owners', async () => {
    for (const limit of [0, 101]) {
      const { res, body } = await call('GET', `/crm/v3/objects/companies?limit=${limit}`);
      expect(res.status).toBe(400);
      expect(body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    }
    expect((await call('GET', '/crm/v3/objects/companies')).body.results).toHaveLength(10);
    const owners = await call('GET', '/crm/v3/owners?limit=3');
    expect(owners.body.results.map((o) => o.id)).toEqual(dataset.hubspot.owners.slice(0, 3).map((o) => o.id));
    const rest = await call('GET', `/crm/v3/owners?after=${owners.body.paging?.next.after}`);
    expect(rest.body.results).toHaveLength(dataset.hubspot.owners.length - 3);
    expect(rest.body.paging).toBeUndefined();
    expect((await call('GET', '/crm/v3/owners?limit=501')).res.status).toBe(400);
  });

  it('404s a missing object with HubSpot’s body', async () => {
    const { res, body } = await call('GET', '/crm/v3/objects/contacts/999999');
    expect(res.status).toBe(404);
    expect(body).toEqual({
      status: 'error',
      message: 'Object not found.  objectId are usually numeric.',
      correlationId: expect.any(String),
      context: { id: ['999999'] },
      category: 'OBJECT_NOT_FOUND',
    });
  });
});

describe('search and writes', () => {
  it('finds a PATCHed contact with lastmodifieddate GTE the previous cursor', async () => {
    const cursor = clock.now();
    const target = dataset.hubspot.contacts[10];
    const before = await search('contacts', {
      filterGroups: [
        { filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: String(cursor) }] },
      ],
    });
    expect(before.body.total).toBe(0);
    clock.advance(60_000);
    const patched = await call('PATCH', `/crm/v3/objects/contacts/${target?.id}`, {
      properties: { jobtitle: 'CTO', hs_lead_status: 'OPEN' },
    });
    expect(patched.res.status).toBe(200);
    const nowIso = new Date(clock.now()).toISOString();
    expect(patched.body).toMatchObject({ id: target?.id, updatedAt: nowIso });
    expect(patched.body.properties).toMatchObject({ jobtitle: 'CTO', lastmodifieddate: nowIso });
    const found = await search('contacts', {
      filterGroups: [
        { filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: String(cursor) }] },
      ],
      sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
      properties: ['jobtitle'],
    });
    expect(found.body.total).toBe(1);
    expect(found.body.results[0]).toMatchObject({ id: target?.id, properties: { jobtitle: 'CTO' } });
    const iso = await search('contacts', {
      filterGroups: [
        {
          filters: [
            { propertyName: 'lastmodifieddate', operator: 'GT', value: new Date(cursor).toISOString() },
          ],
        },
      ],
    });
    expect(iso.body.total).toBe(1);
  });

  it('pages search results with after offsets, OR-ing filter groups and sorting', async () => {
    const won = dataset.hubspot.deals.filter((d) =>
      ['closedwon', 'closedlost'].includes(d.properties.dealstage),
    );
    const ids: string[] = [];
    let after: string | undefined;
    do {
      const { body } = await search('deals', {
        filterGroups: [
          { filters: [{ propertyName: 'dealstage', operator: 'EQ', value: 'closedwon' }] },
          { filters: [{ propertyName: 'dealstage', operator: 'IN', values: ['closedlost'] }] },
        ],
        sorts: [{ propertyName: 'amount', direction: 'DESCENDING' }],
        limit: 20,
        after,
      });
      expect(body.total).toBe(won.length);
      ids.push(...body.results.map((r) => r.id));
      after = body.paging?.next.after;
    } while (after);
    expect(new Set(ids)).toEqual(new Set(won.map((d) => d.id)));
    const amounts = ids.map((id) =>
      Number(dataset.hubspot.deals.find((d) => d.id === id)?.properties.amount),
    );
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
    expect((await search('deals', { limit: 201 })).res.status).toBe(400);
    const deep = await search('deals', { after: '10000' });
    expect(deep.res.status).toBe(400);
    expect(deep.body.category).toBe('VALIDATION_ERROR');
  });

  it('creates (201), archives (204) and hides archived objects', async () => {
    clock.advance(1000);
    const created = await call('POST', '/crm/v3/objects/companies', {
      properties: { name: 'Initech', domain: 'initech.com', numberofemployees: 120 },
    });
    expect(created.res.status).toBe(201);
    const id = created.body.id as unknown as string;
    expect(Number(id)).toBeGreaterThan(Math.max(...dataset.hubspot.companies.map((c) => Number(c.id))));
    expect(created.body.properties).toMatchObject({ numberofemployees: '120', hs_object_id: id });
    const del = await call('DELETE', `/crm/v3/objects/companies/${id}`);
    expect(del.res.status).toBe(204);
    expect((await call('GET', `/crm/v3/objects/companies/${id}`)).res.status).toBe(404);
    const all = await call('GET', '/crm/v3/objects/companies?limit=100');
    expect(all.body.results.map((r) => r.id)).not.toContain(id);
    const archived = await call('GET', '/crm/v3/objects/companies?archived=true');
    expect(archived.body.results.map((r) => [r.id, r.archived])).toEqual([[id, true]]);
  });

  it('rejects bad JSON and unknown properties like HubSpot', async () => {
    const id = dataset.hubspot.contacts[0]?.id;
    const bad = await call('PATCH', `/crm/v3/objects/contacts/${id}`, '{x');
    expect(bad.res.status).toBe(400);
    expect(bad.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    expect(bad.body.message).toMatch(/^Invalid input JSON on line 1, column 2: /);
    const unknown = await call('PATCH', `/crm/v3/objects/contacts/${id}`, {
      properties: { favourite_color: 'red' },
    });
    expect(unknown.res.status).toBe(400);
    expect(unknown.body.message).toContain('PROPERTY_DOESNT_EXIST');
    served.sandboxes.hubspot.addProperty('contacts', 'favourite_color', () => null);
    expect(
      (await call('PATCH', `/crm/v3/objects/contacts/${id}`, { properties: { favourite_color: 'red' } })).res
        .status,
    ).toBe(200);
    const got = await call('GET', `/crm/v3/objects/contacts/${id}?properties=favourite_color`);
    expect(got.body.properties).toMatchObject({ favourite_color: 'red' });
  });
});

describe('rate limits and faults', () => {
  it('rateLimitBurst returns HubSpot’s secondly 429 with Retry-After', async () => {
    served.sandboxes.hubspot.rateLimitBurst(1, 2);
    const { res, body } = await call('GET', '/crm/v3/objects/contacts');
    expect(res.status).toBe(429);
    expect(res.headers.get('Retry-After')).toBe('2');
    expect(body).toMatchObject({
      status: 'error',
      message: 'You have reached your secondly limit.',
      errorType: 'RATE_LIMIT',
      policyName: 'SECONDLY',
      groupName: expect.stringMatching(/^publicapi:private-app:\d+$/),
    });
    expect((await call('GET', '/crm/v3/objects/contacts')).res.status).toBe(200);
  });

  it('enforces a real window and reports it in X-HubSpot-RateLimit headers', async () => {
    const c2 = new ManualClock(Date.UTC(2026, 0, 3));
    const small = await serveSandboxes({
      dataset,
      now: () => c2.now(),
      rateLimit: { requests: 2, perSeconds: 1 },
    });
    try {
      const hit = () => fetch(`${small.base}/hubspot/crm/v3/owners`, { headers: auth });
      expect((await hit()).headers.get('X-HubSpot-RateLimit-Remaining')).toBe('1');
      expect((await hit()).status).toBe(200);
      const limited = await hit();
      expect(limited.status).toBe(429);
      expect(limited.headers.get('Retry-After')).toBe('1');
      c2.advance(1000);
      expect((await hit()).status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it('failNext fails the second search page (afterMatches) with the injected body', async () => {
    const hubspot = served.sandboxes.hubspot;
    hubspot.failNext({
      match: /\/search$/,
      status: 502,
      body: 'Bad Gateway',
      contentType: 'text/plain',
      afterMatches: 1,
    });
    expect((await search('contacts', {})).res.status).toBe(200);
    const res = await fetch(`${base}/hubspot/crm/v3/objects/contacts/search`, {
      method: 'POST',
      headers: auth,
      body: '{}',
    });
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(await res.text()).toBe('Bad Gateway');
    expect(hubspot.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/crm/v3/objects/contacts/search',
      status: 502,
    });
  });
});
