// A team source with an interval is pulled by the tab's SyncScheduler on its own: the server publishes a new version,
// the scheduler's clock reaches the interval, and the new rows arrive through /api/datasets with no vendor call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineApi, SyncEvent } from '../worker/api.ts';
import { createEngineService } from '../worker/service.ts';
import { GatedClock, ManualClock, memoryDB } from '../worker/testing.ts';
import { startTeamServer, type TeamServer } from './team-kit.ts';

const START = Date.UTC(2026, 11, 4, 17, 30);
let team: TeamServer;
/** The server's clock: publish versions are named by it. */
let serverClock: ManualClock;
/** The tab's clock: the scheduler's sleeps end only when the test ticks it. */
let tabClock: GatedClock;
let tab: EngineApi;
const events: SyncEvent[] = [];

const vendorCalls = () => team.sandboxes.stripe.requests.length;
const rows = async (sql: string) => {
  const result = await tab.execute({ sql });
  if (!('rows' in result)) throw new Error(`${sql} failed: ${JSON.stringify(result)}`);
  return result.rows;
};

beforeAll(async () => {
  serverClock = new ManualClock(START);
  team = await startTeamServer({ clock: serverClock });
  tabClock = new GatedClock(START);
  // As in the browser (worker/main.ts): the scheduler runs while the engine is open.
  tab = createEngineService({
    db: memoryDB(tabClock),
    relay: { origin: team.server.url },
    schedule: { checkInterval: '60s' },
  });
  await tab.open();
  await tab.watchSyncs({ onEvent: (event) => void events.push(event) });
});

afterAll(async () => {
  await tab?.close();
  await team?.close();
});

describe('team data: a pulled source refreshes on its schedule', () => {
  it('the scheduler pulls the next published version by itself, without a vendor call', async () => {
    const [first] = await tab.pullTeamData({ selections: [{ source: 'stripe', interval: '15m' }] });
    expect(first).toMatchObject({ status: 'success', tables_synced: 1 });
    const before = team.sandboxes.stripe.store.list('customers').length;
    expect(Number((await rows('SELECT count(*) AS n FROM stripe.customers'))[0]!.n)).toBe(before);
    // The loop went back to sleep until the source is due again (the pull woke it to re-read the schedule).
    await expect.poll(() => tabClock.pending, { timeout: 10_000 }).toBe(1);
    const [status] = (await tab.syncStatus()).filter((s) => s.name === 'stripe');
    expect(status!.next_run_at).toBe(new Date(START + 15 * 60_000).toISOString());

    // The server side: a new customer at the vendor, synced and published as the next version.
    const template = team.sandboxes.stripe.store.list('customers')[0]!;
    const created = Math.floor(serverClock.now() / 1000) + 60;
    team.sandboxes.stripe.store.put('customers', {
      ...template,
      id: 'cus_scheduled',
      name: 'Scheduled Pull',
      created,
    });
    serverClock.advance(60 * 60_000);
    await team.syncAndPublish();
    const calls = vendorCalls();
    const manual = events.filter((e) => e.type === 'started' && e.trigger === 'manual').length;

    // Nothing asks for a pull. Each tick ends the loop's sleep (at most its 60 s check interval, as in the
    // browser); at the fifteenth minute the source is due and the scheduler pulls it.
    for (let minute = 1; minute <= 15; minute++) {
      await expect.poll(() => tabClock.pending, { timeout: 10_000 }).toBe(1);
      tabClock.tick();
    }
    const scheduled = "SELECT name FROM stripe.customers WHERE id = 'cus_scheduled'";
    await expect
      .poll(async () => (await rows(scheduled))[0]?.name, { timeout: 30_000 })
      .toBe('Scheduled Pull');
    expect(Number((await rows('SELECT count(*) AS n FROM stripe.customers'))[0]!.n)).toBe(before + 1);
    await expect
      .poll(() => events.find((e) => e.type === 'finished' && e.trigger === 'schedule'), { timeout: 10_000 })
      .toMatchObject({ source: 'stripe', result: { status: 'success', tables_synced: 1 } });
    expect(events.filter((e) => e.type === 'started' && e.trigger === 'manual').length).toBe(manual);
    expect(vendorCalls()).toBe(calls);
    const { sources } = await tab.listSources();
    expect(sources.find((s) => s.name === 'stripe')!.team!.published_at).toBe('2026-12-04 18:30:00');
  }, 120_000);
});
