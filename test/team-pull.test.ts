// Team data across the layers: a server syncs a sandbox and publishes, a browser-side engine pulls it, writes back through the relay.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxes, type Sandboxes } from '../proxy/sandbox/index.ts';
import { startServer, type RunningServer } from '../proxy/server.ts';
import type { EngineApi } from '../worker/api.ts';
import type { DinobaseDB } from '../worker/db.ts';
import { createEngineService } from '../worker/service.ts';
import { SyncEngine } from '../worker/sync/engine.ts';
import { relayTransport } from '../worker/sync/transport.ts';
import { ManualClock, memoryDB } from '../worker/testing.ts';
import type { Upstream } from './probe-kit.ts';
import { closeFixtureWriter, publishFixture, serveDatasets } from './team-kit.ts';

let home: string;
let previousHome: string | undefined;
let server: RunningServer;
let datasets: Upstream;
let sandboxes: Sandboxes;
let clock: ManualClock;
let publisher: DinobaseDB;
let engine: EngineApi;

const vendorCalls = () => sandboxes.stripe.requests.length;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'dinobase-team-pull-'));
  previousHome = process.env.DINOBASE_HOME;
  process.env.DINOBASE_HOME = home;
  clock = new ManualClock(Date.UTC(2026, 11, 4, 18, 0));
  sandboxes = createSandboxes({ now: () => clock.now() });
  server = await startServer({ port: 0, sandboxes });
  // The server side: one sync from the vendor (through the relay, as the headless engine would), published.
  publisher = memoryDB(clock, 'native');
  const syncs = new SyncEngine(publisher, {
    clock,
    transport: relayTransport({ origin: server.url, fetch: (input, init) => globalThis.fetch(input, init) }),
  });
  const synced = await syncs.sync('stripe', { type: 'stripe', resources: ['customers'] });
  expect(synced.error).toBeNull();
  const root = join(home, 'published');
  await publishFixture(root, {
    source: 'stripe',
    version: 'v20261204T173000Z-3f2a9c1b',
    from: publisher,
    tables: [{ name: 'customers', sql: 'SELECT * FROM stripe.customers' }],
  });
  datasets = await serveDatasets(root);
  engine = createEngineService({
    db: memoryDB(clock),
    relay: { origin: server.url },
    team: { origin: datasets.origin },
  });
  await engine.open();
});

afterAll(async () => {
  await engine?.close();
  await datasets?.close();
  await server?.close();
  await publisher?.close();
  await closeFixtureWriter();
  if (previousHome === undefined) delete process.env.DINOBASE_HOME;
  else process.env.DINOBASE_HOME = previousHome;
  rmSync(home, { recursive: true, force: true });
});

describe('team data through the engine service', () => {
  it('pulls the published source without a vendor call and lists it as team data, fresh from its publish', async () => {
    const published = await engine.listTeamData();
    expect(published.map((d) => [d.source, d.pulled])).toEqual([['stripe', null]]);
    const calls = vendorCalls();
    const [result] = await engine.pullTeamData({ selections: [{ source: 'stripe', interval: '15m' }] });
    expect(result).toMatchObject({ status: 'success', source_type: 'stripe' });
    expect(vendorCalls()).toBe(calls);
    const customers = sandboxes.stripe.store.list('customers').length;
    expect(result!.rows_synced).toBe(customers);
    const { sources } = await engine.listSources();
    const stripe = sources.find((s) => s.name === 'stripe')!;
    expect(stripe).toMatchObject({
      type: 'stripe',
      team: { version: 'v20261204T173000Z-3f2a9c1b', published_at: '2026-12-04 17:30:00' },
      last_sync: '2026-12-04 17:30:00',
      age: '30m',
      is_stale: false,
    });
    expect(stripe.tables.find((t) => t.name === 'customers')?.rows).toBe(customers);
    const [again] = await engine.listTeamData();
    expect(again!.pulled).toMatchObject({
      version: 'v20261204T173000Z-3f2a9c1b',
      tables: null,
      sync_interval: '15m',
    });
  });

  it('refreshes on demand through sync(): a 304, no Parquet and no vendor call', async () => {
    const calls = vendorCalls();
    const files = datasets.seen.filter((s) => s.target.endsWith('.parquet')).length;
    const result = await engine.sync({ name: 'stripe' });
    expect(result).toMatchObject({ status: 'success', tables_synced: 0 });
    expect(datasets.seen.filter((s) => s.target.endsWith('.parquet')).length).toBe(files);
    expect(vendorCalls()).toBe(calls);
    const [status] = (await engine.syncStatus()).filter((s) => s.name === 'stripe');
    expect(status).toMatchObject({ sync_interval: '15m', last_attempt: { status: 'success' } });
  });

  it('a mutation preview on a team table writes back through the relay to the vendor, then to the local copy', async () => {
    const target = sandboxes.stripe.store.list('customers')[1]!;
    const preview = await engine.previewMutation({
      sql: `UPDATE stripe.customers SET name = 'Team Write' WHERE id = '${target.id}'`,
    });
    expect(preview).toMatchObject({ status: 'pending_confirmation' });
    if (!('mutation_id' in preview)) throw new Error('no mutation id');
    const confirmed = await engine.confirmMutation({ mutationId: preview.mutation_id });
    expect(confirmed).toMatchObject({ status: 'executed' });
    expect(sandboxes.stripe.store.get('customers', target.id)!.name).toBe('Team Write');
    const local = await engine.execute({
      sql: `SELECT name FROM stripe.customers WHERE id = '${target.id}'`,
    });
    expect(local).toMatchObject({ rows: [{ name: 'Team Write' }] });
  });
});
