// Write-back through the real proxy relay: the worker sends no credentials, the proxy injects them upstream.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxes, type Sandboxes } from '../proxy/sandbox/index.ts';
import { startServer, type RunningServer } from '../proxy/server.ts';
import { builtinConnectors } from '../worker/connectors/builtin.ts';
import type { DinobaseDB } from '../worker/db.ts';
import { WriteBack } from '../worker/mutations/writer.ts';
import { MutationEngine } from '../worker/query/mutations.ts';
import { SyncEngine } from '../worker/sync/engine.ts';
import { relayTransport } from '../worker/sync/transport.ts';
import { ManualClock, memoryDB } from '../worker/testing.ts';
import { deletePlan, insertPlan, localRow, updatePlan, writesIn, type Wire } from './writeback-kit.ts';

let home: string;
let previousHome: string | undefined;
let server: RunningServer;
let sandboxes: Sandboxes;
let clock: ManualClock;
let db: DinobaseDB;
let writer: WriteBack;
const wire: Wire[] = [];

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'dinobase-writeback-relay-'));
  previousHome = process.env.DINOBASE_HOME;
  process.env.DINOBASE_HOME = home;
  clock = new ManualClock(Date.UTC(2026, 5, 1, 9, 0));
  sandboxes = createSandboxes({ now: () => clock.now() });
  server = await startServer({ port: 0, sandboxes });
  const recording: typeof fetch = (input, init) => {
    wire.push({
      method: init?.method ?? 'GET',
      url: String(input),
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? init.body : null,
    });
    return globalThis.fetch(input, init);
  };
  const transport = relayTransport({ origin: server.url, fetch: recording });
  const connectors = builtinConnectors();
  db = memoryDB(clock);
  const engine = new SyncEngine(db, { clock, connectors, transport, retry: { baseDelayMs: 10 } });
  expect((await engine.sync('stripe', { type: 'stripe', resources: ['customers'] })).status).toBe('success');
  expect((await engine.sync('hubspot', { type: 'hubspot', resources: ['contacts'] })).status).toBe('success');
  // No credentials and no base URL: in relay mode the proxy holds both.
  writer = new WriteBack(db, { transport, connectors, clock, retry: { baseDelayMs: 10 } });
});

afterAll(async () => {
  await server?.close();
  await db?.close();
  if (previousHome === undefined) delete process.env.DINOBASE_HOME;
  else process.env.DINOBASE_HOME = previousHome;
  rmSync(home, { recursive: true, force: true });
});

describe('write-back through the proxy relay', () => {
  it('updates and creates Stripe customers via /api/relay with auth injected server-side', async () => {
    clock.advance(60_000);
    wire.length = 0;
    const target = sandboxes.stripe.store.list('customers')[2]!;
    const update = await updatePlan(db, { source: 'stripe', table: 'customers' }, [
      { key: { id: target.id }, set: { name: 'Renamed Through Relay' } },
    ]);
    const create = insertPlan({ source: 'stripe', table: 'customers' }, [
      { name: 'Relay Co', email: 'relay@writeback.example' },
    ]);
    sandboxes.stripe.clearRequests();
    expect(await writer.execute(update)).toEqual([
      { index: 0, id: target.id, status: 'ok', http_status: 200, local: 'updated' },
    ]);
    const [created] = await writer.execute(create);
    expect(created).toMatchObject({ status: 'ok', local: 'inserted' });

    expect(sandboxes.stripe.store.get('customers', target.id)!.name).toBe('Renamed Through Relay');
    expect(sandboxes.stripe.store.get('customers', created!.created_id!)).toMatchObject({ name: 'Relay Co' });
    expect(writesIn(sandboxes.stripe.requests).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      `POST /v1/customers/${target.id} 200`,
      'POST /v1/customers 200',
    ]);
    // The idempotency key crossed the relay: Stripe recorded it on the write's event.
    const events = sandboxes.stripe.store
      .list('events')
      .filter(
        (e) => (e.request as { idempotency_key?: string }).idempotency_key === `${update.mutation_id}:0`,
      );
    expect(events.map((e) => e.type)).toEqual(['customer.updated']);

    const relay = `${server.url}/api/relay/stripe/`;
    const apiCalls = wire.filter((w) => !w.url.startsWith(`${server.url}/api/sources/`));
    expect(apiCalls.map((w) => `${w.method} ${w.url.slice(relay.length)}`)).toEqual([
      `GET v1/customers/${target.id}`,
      `POST v1/customers/${target.id}`,
      'POST v1/customers',
    ]);
    expect(apiCalls.every((w) => w.url.startsWith(relay))).toBe(true);
    expect(wire.every((w) => !w.headers.has('authorization'))).toBe(true);
    expect(JSON.stringify(wire)).not.toContain(sandboxes.credentials.stripe.api_key);
    expect(await localRow(db, 'stripe', 'customers', { id: target.id })).toMatchObject({
      name: 'Renamed Through Relay',
    });
    expect(await localRow(db, 'stripe', 'customers', { id: created!.created_id! })).toMatchObject({
      name: 'Relay Co',
      email: 'relay@writeback.example',
    });
  });

  it('previews on the host the relay forwards to (the sandbox), not the connector default', async () => {
    // As the browser registers it: name and type only; the proxy holds the base URL.
    await db.addSource({ name: 'stripe', type: 'stripe' });
    const target = sandboxes.stripe.store.list('customers')[4]!;
    const mutations = new MutationEngine(db, { clock, writer });
    const preview = await mutations.handleSql(
      `UPDATE stripe.customers SET name = 'Host Check' WHERE id = '${target.id}'`,
    );
    if (!('preview' in preview)) throw new Error(`expected a preview: ${JSON.stringify(preview)}`);
    const host = new URL(server.url).host;
    expect(preview.preview.api).toMatchObject({ method: 'POST', path: 'v1/customers/{id}', host });
    expect(preview.preview.side_effects[0]).toContain(`on ${host},`);
    expect(JSON.stringify(preview)).not.toContain('api.stripe.com');
    await mutations.cancel(preview.mutation_id);
  });

  it('PATCHes and DELETEs HubSpot contacts through the relay', async () => {
    const target = sandboxes.hubspot.store.list('contacts')[5]!;
    const plan = await updatePlan(db, { source: 'hubspot', table: 'contacts' }, [
      { key: { id: target.id }, set: { jobtitle: 'Relayed Title' } },
    ]);
    const [result] = await writer.execute(plan);
    expect(result).toMatchObject({ status: 'ok', local: 'updated' });
    expect(sandboxes.hubspot.store.get('contacts', target.id)!.properties.jobtitle).toBe('Relayed Title');
    expect((await localRow(db, 'hubspot', 'contacts', { id: target.id }))!.jobtitle).toBe('Relayed Title');
    const doomed = sandboxes.hubspot.store.list('contacts')[6]!;
    const removal = await deletePlan(db, { source: 'hubspot', table: 'contacts' }, [
      { key: { id: doomed.id } },
    ]);
    expect(await writer.execute(removal)).toEqual([
      { index: 0, id: doomed.id, status: 'ok', http_status: 204, local: 'deleted' },
    ]);
    expect(sandboxes.hubspot.store.get('contacts', doomed.id)!.archived).toBe(true);
    expect(await localRow(db, 'hubspot', 'contacts', { id: doomed.id })).toBeUndefined();
  });
});
