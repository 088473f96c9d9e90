// The four sandbox sources synced through the real proxy relay: the same rows as a direct sync, no credentials sent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxes, type Sandboxes } from '../proxy/sandbox/index.ts';
import { startServer, type RunningServer } from '../proxy/server.ts';
import { builtinConnectors } from '../worker/connectors/builtin.ts';
import type { ConnectorRegistry } from '../worker/connectors/registry.ts';
import type { DinobaseDB } from '../worker/db.ts';
import { SyncEngine } from '../worker/sync/engine.ts';
import { relayTransport } from '../worker/sync/transport.ts';
import { ManualClock, memoryDB } from '../worker/testing.ts';

const VENDORS = ['stripe', 'hubspot', 'linear', 'github'] as const;
type Vendor = (typeof VENDORS)[number];

interface Seen {
  url: string;
  headers: Headers;
}

let home: string;
let previousHome: string | undefined;
let server: RunningServer;
let sandboxes: Sandboxes;
let clock: ManualClock;
let relayDb: DinobaseDB;
let directDb: DinobaseDB;
let relayed: SyncEngine;
let direct: SyncEngine;
const seen: Seen[] = [];

/** GitHub with a small page size, so repos, issues and pulls all need Link-header paging. */
function connectors(): ConnectorRegistry {
  const registry = builtinConnectors();
  const github = registry.get('github');
  registry.add({ ...github, resource_defaults: { ...github.resource_defaults, params: { per_page: 5 } } });
  return registry;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'dinobase-relay-'));
  previousHome = process.env.DINOBASE_HOME;
  process.env.DINOBASE_HOME = home;
  clock = new ManualClock(Date.UTC(2026, 5, 1, 9, 0));
  sandboxes = createSandboxes({ now: () => clock.now() });
  // stripe_live: a source the operator declared without its key.
  server = await startServer({
    port: 0,
    sandboxes,
    env: { ...process.env, DINOBASE_STRIPE_LIVE_TYPE: 'stripe' },
  });
  // Records what the worker puts on the wire: the test double sits between the transport and real fetch.
  const recording: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    seen.push({ url, headers: new Headers(init?.headers) });
    return globalThis.fetch(input, init);
  };
  const registry = connectors();
  relayDb = memoryDB(clock);
  directDb = memoryDB(clock);
  relayed = new SyncEngine(relayDb, {
    clock,
    connectors: registry,
    retry: { baseDelayMs: 10 },
    transport: relayTransport({ origin: server.url, fetch: recording }),
  });
  direct = new SyncEngine(directDb, { clock, connectors: registry, retry: { baseDelayMs: 10 } });
});

afterAll(async () => {
  await server?.close();
  await relayDb?.close();
  await directDb?.close();
  if (previousHome === undefined) delete process.env.DINOBASE_HOME;
  else process.env.DINOBASE_HOME = previousHome;
  rmSync(home, { recursive: true, force: true });
});

/** No credentials and no base_url: the proxy holds both. */
const viaRelay = (vendor: Vendor) => relayed.sync(vendor, { type: vendor });

const viaDirect = (vendor: Vendor) =>
  direct.sync(vendor, {
    type: vendor,
    base_url: `${server.url}/sandbox/${vendor}/`,
    credentials: sandboxes.credentials[vendor],
  });

async function counts(db: DinobaseDB, schema: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of await db.getTables(schema)) out[table] = await db.getRowCount(schema, table);
  return out;
}

describe('sync through the proxy relay', () => {
  it.each(VENDORS)(
    'syncs %s with the same tables and row counts as a direct sync',
    async (vendor) => {
      const result = await viaRelay(vendor);
      expect(result).toMatchObject({ status: 'success', error: null });
      expect((await viaDirect(vendor)).status).toBe('success');
      const relayCounts = await counts(relayDb, vendor);
      expect(Object.keys(relayCounts).length).toBeGreaterThan(1);
      expect(relayCounts).toEqual(await counts(directDb, vendor));
    },
    60_000,
  );

  it('matches the sandboxes’ own counts', async () => {
    expect(await relayDb.getRowCount('stripe', 'customers')).toBe(180);
    expect(await relayDb.getRowCount('hubspot', 'contacts')).toBe(180);
    expect(await relayDb.getRowCount('linear', 'issues')).toBe(sandboxes.linear.store.issues.size);
    const store = sandboxes.github.store;
    const repos = store.repos();
    expect(await relayDb.getRowCount('github', 'repos')).toBe(repos.length);
    expect(await relayDb.getRowCount('github', 'issues')).toBe(
      repos.reduce((n, r) => n + store.issues(r.full_name).length, 0),
    );
  });

  it('sent every request to the relay or the source list, with no credentials', () => {
    const relay = `${server.url}/api/relay/`;
    const sources = VENDORS.map((v) => `${server.url}/api/sources/${v}`);
    expect(seen.length).toBeGreaterThan(VENDORS.length);
    for (const { url } of seen) expect(url.startsWith(relay) || sources.includes(url), url).toBe(true);
    for (const url of sources)
      expect(
        seen.some((s) => s.url === url),
        url,
      ).toBe(true);
    expect(seen.every((s) => !s.headers.has('authorization'))).toBe(true);
    const keys = Object.values(sandboxes.credentials).flatMap((c) => Object.values(c));
    for (const key of keys) expect(JSON.stringify(seen.map((s) => s.url))).not.toContain(key);
  });

  it("followed GitHub's absolute Link headers as relay paths", () => {
    const github = seen.filter((s) => s.url.startsWith(`${server.url}/api/relay/github/`));
    const followed = github.filter((s) => new URL(s.url).searchParams.has('page'));
    // 6 repos at 5 per page, and every repo's issues and pulls span several pages.
    expect(followed.filter((s) => new URL(s.url).pathname.endsWith('/user/repos')).length).toBe(1);
    expect(followed.filter((s) => /\/issues$/.test(new URL(s.url).pathname)).length).toBeGreaterThan(6);
    expect(followed.filter((s) => /\/pulls$/.test(new URL(s.url).pathname)).length).toBeGreaterThan(6);
    expect(followed.every((s) => !s.url.includes('/sandbox/'))).toBe(true);
    // The sandbox saw the same pages the worker asked the relay for.
    const upstream = sandboxes.github.requests.filter((r) => r.query.page !== undefined);
    expect(upstream.length).toBeGreaterThanOrEqual(followed.length);
  });

  it(
    'syncs incrementally through the relay and picks up an edit in every source',
    { timeout: 60_000 },
    async () => {
      clock.advance(60_000);
      const customer = sandboxes.stripe.store.list('customers')[5]!;
      sandboxes.stripe.update('customers', customer.id, { name: 'Renamed Via Relay' });
      const contact = sandboxes.hubspot.store.list('contacts')[3]!;
      sandboxes.hubspot.update('contacts', contact.id, { jobtitle: 'Relay Tester' });
      const linearIssue = [...sandboxes.linear.store.issues.values()][7]!;
      sandboxes.linear.updateIssue(linearIssue.id, { title: 'Edited via relay' });
      const repo = sandboxes.github.store.repos()[0]!;
      const issue = sandboxes.github.store.issues(repo.full_name).find((i) => !i.pull_request)!;
      sandboxes.github.updateIssue(repo.full_name, issue.number, { title: 'Edited via relay' });
      sandboxes.github.clearRequests();

      for (const vendor of VENDORS) {
        const before = await counts(relayDb, vendor);
        const result = await viaRelay(vendor);
        expect(result, vendor).toMatchObject({ status: 'success', error: null });
        const total = Object.values(before).reduce((a, b) => a + b, 0);
        expect(result.rows_synced, vendor).toBeLessThan(total / 4);
        // Edits merge into existing rows: no table grows.
        expect(await counts(relayDb, vendor), vendor).toEqual(before);
      }
      const issueCalls = sandboxes.github.requests.filter((r) => /\/issues$/.test(r.path));
      expect(issueCalls.length).toBeGreaterThan(0);
      expect(issueCalls.every((r) => typeof r.query.since === 'string')).toBe(true);
      expect(await relayDb.query('SELECT name FROM stripe.customers WHERE id = ?', [customer.id])).toEqual([
        { name: 'Renamed Via Relay' },
      ]);
      expect(await relayDb.query('SELECT jobtitle FROM hubspot.contacts WHERE id = ?', [contact.id])).toEqual(
        [{ jobtitle: 'Relay Tester' }],
      );
      expect(await relayDb.query('SELECT title FROM linear.issues WHERE id = ?', [linearIssue.id])).toEqual([
        { title: 'Edited via relay' },
      ]);
      expect(await relayDb.query('SELECT title FROM github.issues WHERE id = ?', [issue.id])).toEqual([
        { title: 'Edited via relay' },
      ]);
    },
  );

  it('explains a source the proxy does not know, or holds no keys for', async () => {
    const unknown = await relayed.sync('stripe_eu', { type: 'stripe' });
    expect(unknown.error).toBe("Source 'stripe_eu' has no credentials on the proxy. Add it under Sources.");
    const keyless = await relayed.sync('stripe_live', { type: 'stripe' });
    expect(keyless.error).toBe(
      "Source 'stripe_live' is missing credentials on the proxy (api_key). Set them under Sources.",
    );
    const mismatched = await relayed.sync('hubspot', { type: 'stripe' });
    expect(mismatched.error).toBe(
      "Source 'hubspot' is a hubspot source on the proxy but a stripe source here.",
    );
  });
});
