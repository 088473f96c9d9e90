// The relay in front of the built-in vendor sandboxes, over real HTTP: Stripe, GitHub, HubSpot and Linear as the app reaches them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDist, tempHome } from '../test/probe-kit.ts';
import { startServer, type RunningServer } from './server.ts';

let server: RunningServer;

const relay = (path: string, init?: RequestInit) => fetch(`${server.url}/api/relay/${path}`, init);

beforeAll(async () => {
  server = await startServer({
    port: 0,
    distDir: tempDist(),
    home: tempHome(),
    log: () => undefined,
    env: {},
  });
});
afterAll(async () => {
  await server?.close();
});

describe('the built-in sandboxes through the relay', () => {
  it('lists three Stripe customers', async () => {
    const res = await relay('stripe/v1/customers?limit=3');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { object: string; data: { id: string; object: string }[] };
    expect(body.object).toBe('list');
    expect(body.data).toHaveLength(3);
    for (const customer of body.data) {
      expect(customer.object).toBe('customer');
      expect(customer.id).toMatch(/^cus_/);
    }
  });

  it("returns GitHub's Link header pointing at the sandbox", async () => {
    const res = await relay('github/user/repos?per_page=2');
    expect(res.status).toBe(200);
    expect(((await res.json()) as unknown[]).length).toBe(2);
    const link = res.headers.get('link') ?? '';
    expect(link).toContain(`<${server.url}/sandbox/github/user/repos?per_page=2&page=2>; rel="next"`);
  });

  it('answers HubSpot and Linear requests', async () => {
    const contacts = await relay('hubspot/crm/v3/objects/contacts?limit=2');
    expect(contacts.status).toBe(200);
    expect(((await contacts.json()) as { results: unknown[] }).results).toHaveLength(2);
    const viewer = await relay('linear/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    });
    expect(viewer.status).toBe(200);
    expect(((await viewer.json()) as { data: { viewer: { id: string } } }).data.viewer.id).toBeTruthy();
  });

  it("passes the vendor's 401 body back when the stored key is wrong, and recovers after DELETE", async () => {
    const wrong = 'sk_test_wrong_key_0000';
    const put = await fetch(`${server.url}/api/sources/stripe/credentials`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'stripe', sandbox: true, credentials: { api_key: wrong } }),
    });
    expect(put.status).toBe(200);
    const res = await relay('stripe/v1/customers?limit=1');
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { message: string; type: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/^Invalid API Key provided: sk_test_\*+0000$/);
    expect(res.headers.get('www-authenticate')).toBeNull();
    await fetch(`${server.url}/api/sources/stripe/credentials`, { method: 'DELETE' });
    expect((await relay('stripe/v1/customers?limit=1')).status).toBe(200);
  });
});
