// Team data across the layers: the server syncs a sandbox and publishes; two browser-side engines pull it through the
// proxy's /api/datasets, and a write-back made in one reaches the other with the next publish.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetTarget } from '../proxy/datasets/target.ts';
import type { Sandboxes } from '../proxy/sandbox/index.ts';
import type { EngineApi } from '../worker/api.ts';
import { createEngineService } from '../worker/service.ts';
import { ManualClock, memoryDB } from '../worker/testing.ts';
import { startTeamServer, type TeamServer } from './team-kit.ts';

let team: TeamServer;
let sandboxes: Sandboxes;
let clock: ManualClock;
let serverSync: () => Promise<void>;
let tabA: EngineApi;
let tabB: EngineApi;
/** Keys of the Parquet files the proxy served: counted on the server side, in its publish target. */
const served: string[] = [];

const vendorCalls = () => sandboxes.stripe.requests.length;
const count = async (tab: EngineApi) => {
  const result = await tab.execute({ sql: 'SELECT count(*) AS n FROM stripe.customers' });
  return 'rows' in result ? Number(result.rows[0]!.n) : NaN;
};

/** The directory target, counting each Parquet file read through it. */
function counting(target: DatasetTarget): DatasetTarget {
  return {
    location: target.location,
    putFile: (key, path) => target.putFile(key, path),
    putManifest: (source, bytes) => target.putManifest(source, bytes),
    get: (key, range) => {
      if (key.endsWith('.parquet')) served.push(key);
      return target.get(key, range);
    },
    head: (key) => target.head(key),
    children: (prefix) => target.children(prefix),
    deletePrefix: (prefix) => target.deletePrefix(prefix),
  };
}

beforeAll(async () => {
  clock = new ManualClock(Date.UTC(2026, 11, 4, 17, 30));
  // The server side: the headless engine on a file, syncing through the relay, publishing after each sync.
  team = await startTeamServer({ clock, target: counting });
  ({ sandboxes } = team);
  serverSync = team.syncAndPublish;
  const tab = () => createEngineService({ db: memoryDB(clock), relay: { origin: team.server.url } });
  tabA = tab();
  tabB = tab();
  await Promise.all([tabA.open(), tabB.open()]);
});

afterAll(async () => {
  await tabA?.close();
  await tabB?.close();
  await team?.close();
});

describe('team data: server sync and publish, two tabs pull', () => {
  it('both tabs pull the published source without a vendor call and count what the server has', async () => {
    const published = await tabA.listTeamData();
    expect(published.map((d) => [d.source, d.source_type, d.pulled])).toEqual([['stripe', 'stripe', null]]);
    const calls = vendorCalls();
    for (const tab of [tabA, tabB]) {
      const [result] = await tab.pullTeamData({ selections: [{ source: 'stripe', interval: '15m' }] });
      expect(result).toMatchObject({ status: 'success', source_type: 'stripe' });
    }
    expect(vendorCalls()).toBe(calls);
    const customers = sandboxes.stripe.store.list('customers').length;
    expect(await count(tabA)).toBe(customers);
    expect(await count(tabB)).toBe(customers);
    const { sources } = await tabA.listSources();
    const stripe = sources.find((s) => s.name === 'stripe')!;
    expect(stripe).toMatchObject({
      type: 'stripe',
      is_stale: false,
      team: { published_at: '2026-12-04 17:30:00' },
    });
    expect(stripe.team!.version).toMatch(/^v20261204T173000Z-/);
    const [again] = await tabA.listTeamData();
    expect(again!.pulled).toMatchObject({
      tables: null,
      sync_interval: '15m',
      version: stripe.team!.version,
    });
  });

  it('a refresh with nothing published since is a 304: no Parquet served, no vendor call', async () => {
    const [files, calls] = [served.length, vendorCalls()];
    expect(await tabA.sync({ name: 'stripe' })).toMatchObject({ status: 'success', tables_synced: 0 });
    expect(served.length).toBe(files);
    expect(vendorCalls()).toBe(calls);
    const [status] = (await tabA.syncStatus()).filter((s) => s.name === 'stripe');
    expect(status).toMatchObject({ sync_interval: '15m', last_attempt: { status: 'success' } });
  });

  it('a write-back on a team table goes through the relay; the other tab sees it after the next publish', async () => {
    const target = sandboxes.stripe.store.list('customers')[1]!;
    const preview = await tabA.previewMutation({
      sql: `UPDATE stripe.customers SET name = 'Team Write' WHERE id = '${target.id}'`,
    });
    expect(preview).toMatchObject({ status: 'pending_confirmation' });
    if (!('mutation_id' in preview)) throw new Error('no mutation id');
    expect(await tabA.confirmMutation({ mutationId: preview.mutation_id })).toMatchObject({
      status: 'executed',
    });
    expect(sandboxes.stripe.store.get('customers', target.id)!.name).toBe('Team Write');
    const nameIn = async (tab: EngineApi) => {
      const r = await tab.execute({ sql: `SELECT name FROM stripe.customers WHERE id = '${target.id}'` });
      return 'rows' in r ? r.rows[0]?.name : undefined;
    };
    expect(await nameIn(tabA)).toBe('Team Write');
    expect(await nameIn(tabB)).not.toBe('Team Write');

    clock.advance(60 * 60_000);
    await serverSync();
    const calls = vendorCalls();
    expect(await tabB.sync({ name: 'stripe' })).toMatchObject({ status: 'success', tables_synced: 1 });
    expect(vendorCalls()).toBe(calls);
    expect(await nameIn(tabB)).toBe('Team Write');
    expect(await count(tabB)).toBe(await count(tabA));
    const { sources } = await tabB.listSources();
    expect(sources.find((s) => s.name === 'stripe')!.team!.published_at).toBe('2026-12-04 18:30:00');
  });

  it('a table published as several files pulls whole: the same rows as on the server', async () => {
    const serverDb = team.db;
    await serverDb.addSource({ name: 'ledger', type: 'stripe' });
    await serverDb.run('CREATE SCHEMA ledger');
    await serverDb.run(
      `CREATE TABLE ledger.entries AS SELECT i AS id, 'e' || i AS memo, i * 7 % 1000 AS amount FROM range(300000) t(i)`,
    );
    // A one-byte cut makes DuckDB start a new file after every row group.
    const manifest = await team.publisher({ fileBytes: 1 }).publish('ledger');
    const files = manifest.tables[0]!.files;
    expect(files.length).toBeGreaterThanOrEqual(2);
    const before = served.length;
    const [result] = await tabA.pullTeamData({ selections: [{ source: 'ledger', interval: '15m' }] });
    expect(result).toMatchObject({ status: 'success', rows_synced: 300000, error: null });
    expect(served.slice(before)).toEqual(files.map((f) => `ledger/${f.path}`));
    const summary = `SELECT count(*)::BIGINT AS n, sum(id)::BIGINT AS ids, sum(amount)::BIGINT AS amounts,
      count(DISTINCT memo)::BIGINT AS memos FROM ledger.entries`;
    const numbers = (row: Record<string, unknown>) => Object.values(row).map(Number);
    const onServer = numbers((await serverDb.query(summary))[0]!);
    const pulled = await tabA.execute({ sql: summary });
    expect('rows' in pulled ? numbers(pulled.rows[0]!) : null).toEqual(onServer);
    expect(onServer).toEqual([300000, 44999850000, 149850000, 300000]);
  });
});
