// The read-only role (DINOBASE_READ_TOKEN) from a tab's engine: it lists and pulls team data through the real proxy,
// and what it may not use (relay sync, write-back, sources, MCP) is refused with the proxy's read_only message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../proxy/server.ts';
import type { Sandboxes } from '../proxy/sandbox/index.ts';
import type { EngineApi } from '../worker/api.ts';
import { createEngineService } from '../worker/service.ts';
import { ManualClock, memoryDB } from '../worker/testing.ts';
import { startTeamServer, type TeamServer } from './team-kit.ts';

const TOKEN = 'full-token-0123456789abcdef';
const READ_TOKEN = 'read-token-0123456789abcdef';
const READ_ONLY = /read-only \(DINOBASE_READ_TOKEN\)/;

let team: TeamServer;
let server: RunningServer;
let sandboxes: Sandboxes;
let tab: EngineApi;

/** globalThis.fetch with a bearer token, as a logged-in tab's cookie would carry it. */
const withToken =
  (token: string): typeof fetch =>
  (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${token}`);
    return globalThis.fetch(input, { ...init, headers });
  };

beforeAll(async () => {
  const clock = new ManualClock(Date.UTC(2026, 11, 4, 17, 30));
  // The server side syncs with the full token (it holds the vendor keys) and publishes.
  team = await startTeamServer({ clock, token: TOKEN, readToken: READ_TOKEN });
  ({ server, sandboxes } = team);
  tab = createEngineService({
    db: memoryDB(clock),
    relay: { origin: server.url },
    fetch: withToken(READ_TOKEN),
  });
  await tab.open();
});

afterAll(async () => {
  await tab?.close();
  await team?.close();
});

describe('team data with the read-only token', () => {
  it('the session says role "read"', async () => {
    const res = await withToken(READ_TOKEN)(`${server.url}/api/session`);
    expect(await res.json()).toEqual({
      login_required: true,
      authenticated: true,
      role: 'read',
      agent_channel: false,
    });
  });

  it('lists and pulls the published source, and counts what the server has, without a vendor call', async () => {
    const calls = sandboxes.stripe.requests.length;
    const published = await tab.listTeamData();
    expect(published.map((d) => [d.source, d.pulled])).toEqual([['stripe', null]]);
    const [result] = await tab.pullTeamData({ selections: [{ source: 'stripe' }] });
    expect(result).toMatchObject({ status: 'success', source_type: 'stripe' });
    const rows = await tab.execute({ sql: 'SELECT count(*) AS n FROM stripe.customers' });
    expect('rows' in rows && Number(rows.rows[0]!.n)).toBe(sandboxes.stripe.store.list('customers').length);
    // A refresh is still allowed: it is a read of /api/datasets.
    expect(await tab.sync({ name: 'stripe' })).toMatchObject({ status: 'success', tables_synced: 0 });
    expect(sandboxes.stripe.requests.length).toBe(calls);
  });

  it('a write-back on the pulled table is refused by the relay with the read-only message; nothing is written', async () => {
    const customer = sandboxes.stripe.store.list('customers')[0]!;
    const preview = await tab.previewMutation({
      sql: `UPDATE stripe.customers SET name = 'Read Write' WHERE id = '${customer.id}'`,
    });
    if (!('mutation_id' in preview)) throw new Error(`no preview: ${JSON.stringify(preview)}`);
    const outcome = await tab.confirmMutation({ mutationId: preview.mutation_id });
    expect(JSON.stringify(outcome)).toMatch(READ_ONLY);
    expect(sandboxes.stripe.store.get('customers', customer.id)!.name).toBe(customer.name);
  });

  it('a source synced directly through the relay fails with the read-only message', async () => {
    await tab.addSource({ name: 'hubspot', type: 'hubspot' });
    const result = await tab.sync({ name: 'hubspot' });
    expect(result.status).toBe('error');
    expect(result.error).toMatch(READ_ONLY);
  });

  it('the proxy refuses the sources, MCP and relay routes to the read token with 403 read_only', async () => {
    const read = withToken(READ_TOKEN);
    for (const [method, path] of [
      ['GET', '/api/sources'],
      ['POST', '/mcp'],
      ['GET', '/api/relay/stripe/v1/customers'],
    ] as const) {
      const res = await read(`${server.url}${path}`, { method });
      expect(res.status, path).toBe(403);
      expect(await res.json(), path).toMatchObject({ code: 'read_only' });
    }
  });
});
