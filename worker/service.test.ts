import * as Comlink from 'comlink';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineApi, SyncEvent } from './api.ts';
import { registerTransferHandlers, releasingCallbacks } from './comlink.ts';
import type { DinobaseDB } from './db.ts';
import { NotReadyError } from './errors.ts';
import { createEngineService } from './service.ts';
import { ManualClock, memoryDB } from './testing.ts';

let db: DinobaseDB;
let engine: EngineApi;

beforeAll(async () => {
  db = memoryDB(new ManualClock(Date.UTC(2026, 5, 1, 9)));
  // Every sync request fails fast: these tests are about the service's bookkeeping, not the connectors.
  const fetch = async () => new Response('{"error":{"message":"no"}}', { status: 401 });
  engine = createEngineService({ db, fetch, schedule: { checkInterval: '60s' } });
  await engine.open();
});
afterAll(() => engine.close());

describe('the engine service: scheduling, history and storage', () => {
  it('sets an interval, reports the next run, and clears it', async () => {
    await engine.addSource({ name: 'stripe', type: 'stripe', base_url: 'http://127.0.0.1:9/v1' });
    const set = await engine.setSyncInterval({ name: 'stripe', interval: '1h' });
    expect(set).toMatchObject({ name: 'stripe', sync_interval: '1h', syncing: null });
    const [status] = await engine.syncStatus();
    expect(status?.sync_interval).toBe('1h');
    expect((await engine.setSyncInterval({ name: 'stripe', interval: null })).next_run_at).toBeNull();
  });

  it('tells a watcher about a sync and lists it in the history with its error', async () => {
    const events: SyncEvent[] = [];
    const id = await engine.watchSyncs({ onEvent: (e) => events.push(e) });
    const result = await engine.sync({ name: 'stripe', credentials: { api_key: 'sk_test_x' } });
    expect(result.status).toBe('error');
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['started', 'finished']));
    expect(await engine.unwatchSyncs({ watchId: id })).toBe(true);
    expect(await engine.unwatchSyncs({ watchId: id })).toBe(false);
    const [entry] = await engine.syncHistory({ name: 'stripe' });
    expect(entry).toMatchObject({ source: 'stripe', status: 'error', error: result.error });
    expect(await engine.cancelSync({ name: 'stripe' })).toBe(false);
  });

  it('over Comlink, releases a watcher’s port when it is unwatched, not before', async () => {
    registerTransferHandlers();
    const { port1, port2 } = new MessageChannel();
    Comlink.expose(releasingCallbacks(engine, ['watchSyncs']), port1 as unknown as Comlink.Endpoint);
    const remote = Comlink.wrap<EngineApi>(port2 as unknown as Comlink.Endpoint);
    let released = 0;
    const events: SyncEvent[] = [];
    const onEvent = Object.assign((e: SyncEvent) => void events.push(e), {
      [Comlink.finalizer]: () => released++,
    });
    const id = await remote.watchSyncs({ onEvent: Comlink.proxy(onEvent) });
    await remote.sync({ name: 'stripe', credentials: { api_key: 'sk_test_x' } });
    await expect.poll(() => events.map((e) => e.type)).toContain('finished');
    expect(released).toBe(0);
    expect(await remote.unwatchSyncs({ watchId: id })).toBe(true);
    await expect.poll(() => released).toBe(1);
    port1.close();
    port2.close();
  });

  it("reports the database size, refuses a backup in memory, and checks a restore's file", async () => {
    expect(await engine.databaseSize()).toMatchObject({ persistent: false });
    const error = await engine.backup().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotReadyError);
    expect(error).toMatchObject({ code: 'not_persistent' });
    await expect(engine.restore({ bytes: new Uint8Array(10) })).rejects.toThrow(/Not a DuckDB database file/);
  });

  it('clears all data, and the scheduler keeps working afterwards', async () => {
    await engine.clearAllData();
    expect(await engine.getSources()).toEqual([]);
    await engine.addSource({ name: 'linear', type: 'linear' });
    expect((await engine.setSyncInterval({ name: 'linear', interval: '15m' })).sync_interval).toBe('15m');
  });
});
