import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DinobaseDB } from '../db.ts';
import { ManualClock, memoryDB } from '../testing.ts';
import type { SyncOptions, SyncProgress, SyncResult, SyncSourceConfig } from './engine.ts';
import { PROGRESS_EVERY_MS, SyncRunner, throttleProgress, type SyncEvent } from './runner.ts';

const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
let db: DinobaseDB;

/** Logs real sync_log rows, reports progress, takes `ms` of clock time, and honours the abort signal. */
class FakeEngine {
  calls: { name: string; config: SyncSourceConfig }[] = [];
  gate: Promise<void> = Promise.resolve();
  failing = new Set<string>();
  async sync(name: string, config: SyncSourceConfig, options: SyncOptions = {}): Promise<SyncResult> {
    this.calls.push({ name, config });
    const id = await db.logSyncStart(name, config.type);
    options.onProgress?.({ source: name, resource: 'customers', phase: 'fetching', pages: 1, rows: 100 });
    const aborted = new Promise<never>((_, reject) =>
      options.signal?.addEventListener('abort', () => reject(options.signal!.reason as Error), {
        once: true,
      }),
    );
    const base = {
      source_name: name,
      source_type: config.type,
      resources: [],
      elapsed_ms: 0,
      rows_written: 0,
    };
    try {
      await Promise.race([this.gate, aborted]);
    } catch (error) {
      const message = `Sync of '${name}' was cancelled: ${(error as Error).message}`;
      await db.logSyncEnd(id, 'cancelled', { errorMessage: message });
      return { ...base, tables_synced: 0, rows_synced: 0, status: 'cancelled', error: message };
    }
    clock.advance(2500);
    const failed = this.failing.has(name);
    await db.logSyncEnd(id, failed ? 'error' : 'success', {
      tablesSynced: 1,
      rowsSynced: 100,
      errorMessage: failed ? 'HTTP 500' : null,
    });
    return failed
      ? { ...base, tables_synced: 0, rows_synced: 0, status: 'error', error: 'HTTP 500' }
      : { ...base, tables_synced: 1, rows_synced: 100, status: 'success', error: null };
  }
}

beforeAll(() => {
  db = memoryDB(clock);
});
afterAll(() => db.close());
beforeEach(async () => {
  for (const s of await db.getSources()) await db.removeSource(s.name);
  await db.run('DELETE FROM _dinobase.sync_log');
});

describe('SyncRunner', () => {
  it('reports an unregistered source as an error result naming the registered ones', async () => {
    await db.addSource({ name: 'stripe', type: 'stripe' });
    const result = await new SyncRunner(db, new FakeEngine()).run('strype');
    expect(result).toMatchObject({
      status: 'error',
      error: "Source 'strype' is not registered. Registered: stripe",
    });
  });

  it('tells every watcher about the start, progress and result of a sync, until unwatched', async () => {
    await db.addSource({ name: 'stripe', type: 'stripe', base_url: 'http://127.0.0.1:9/v1' });
    const engine = new FakeEngine();
    const runner = new SyncRunner(db, engine, { credentials: () => ({ api_key: 'sk_test' }) });
    const events: SyncEvent[] = [];
    const progress: number[] = [];
    const unwatch = runner.watch((e) => events.push(e));
    const result = await runner.run('stripe', { onProgress: (p) => progress.push(p.rows) });
    expect(result.status).toBe('success');
    expect(engine.calls[0]!.config).toEqual({
      type: 'stripe',
      base_url: 'http://127.0.0.1:9/v1',
      resources: null,
      credentials: { api_key: 'sk_test' },
    });
    expect(progress).toEqual([100]);
    expect(events.map((e) => e.type)).toEqual(['started', 'progress', 'finished']);
    expect(events[0]).toEqual({ type: 'started', source: 'stripe', trigger: 'manual' });
    expect(events[2]).toMatchObject({ type: 'finished', trigger: 'manual', result: { rows_synced: 100 } });
    unwatch();
    await runner.run('stripe');
    expect(events).toHaveLength(3);
  });

  it('drops a watcher that throws without failing the sync', async () => {
    await db.addSource({ name: 'linear', type: 'linear' });
    const runner = new SyncRunner(db, new FakeEngine());
    let calls = 0;
    runner.watch(() => {
      calls++;
      throw new Error('page went away');
    });
    expect((await runner.run('linear')).status).toBe('success');
    expect((await runner.run('linear')).status).toBe('success');
    expect(calls).toBe(1);
  });

  it('cancels a running sync, shows it as syncing meanwhile, and says when there was nothing to cancel', async () => {
    await db.addSource({ name: 'hubspot', type: 'hubspot' });
    const engine = new FakeEngine();
    engine.gate = new Promise(() => undefined);
    const runner = new SyncRunner(db, engine);
    expect(runner.cancel('hubspot')).toBe(false);
    const running = runner.run('hubspot');
    await expect.poll(() => runner.active).toEqual(['hubspot']);
    expect(runner.busyReason()).toBe('hubspot is syncing; wait for it or stop it first.');
    expect((await runner.status())[0]).toMatchObject({ name: 'hubspot', syncing: 'manual' });
    expect(runner.cancel('hubspot')).toBe(true);
    expect(await running).toMatchObject({ status: 'cancelled', error: expect.stringContaining('cancelled') });
    expect(runner.active).toEqual([]);
    expect(runner.busyReason()).toBeNull();
  });

  it('joins a sync asked for while the source syncs the same thing, and runs one for other resources after it', async () => {
    await db.addSource({ name: 'stripe', type: 'stripe' });
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const calls: (string[] | null)[] = [];
    const engine = {
      async sync(name: string, config: SyncSourceConfig, options: SyncOptions = {}): Promise<SyncResult> {
        calls.push(config.resources ?? null);
        await gate;
        options.onProgress?.({ source: name, resource: 'customers', phase: 'fetching', pages: 2, rows: 200 });
        const rows = 200 * calls.length;
        return {
          source_name: name,
          source_type: config.type,
          tables_synced: 1,
          rows_synced: rows,
          rows_written: rows,
          status: 'success',
          error: null,
          resources: [],
          elapsed_ms: 0,
        };
      },
    };
    const runner = new SyncRunner(db, engine);
    const events: string[] = [];
    runner.watch((e) => events.push(e.type));
    const first = runner.run('stripe', { trigger: 'schedule' });
    await expect.poll(() => calls.length).toBe(1);
    const progress: number[] = [];
    const watch = vi.spyOn(runner, 'watch');
    const joined = runner.run('stripe', { onProgress: (p) => progress.push(p.rows) });
    const other = runner.run('stripe', { credentials: { api_key: 'x' }, onProgress: () => undefined });
    // Both have joined (each subscribed to the running sync's progress) before the resources change.
    await expect.poll(() => watch.mock.calls.length).toBe(2);
    await db.addSource({ name: 'stripe', type: 'stripe', resources: ['charges'] });
    const narrower = runner.run('stripe');
    open();
    const [a, b, c, d] = await Promise.all([first, joined, other, narrower]);
    // The same fetch (credentials aside) is answered by the running sync: one call, its progress, its result.
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(a).toMatchObject({ status: 'success', rows_synced: 200 });
    expect(progress).toEqual([200]);
    // Other resources wait for it, then sync on their own: never 'already syncing'.
    expect(d).toMatchObject({ status: 'success', rows_synced: 400 });
    expect(calls).toEqual([null, ['charges']]);
    expect(events).toEqual(['started', 'progress', 'finished', 'started', 'progress', 'finished']);
    expect(runner.active).toEqual([]);
  });

  it('stores, validates and clears a sync interval', async () => {
    await db.addSource({ name: 'github', type: 'github', freshness_threshold: '2h' });
    const runner = new SyncRunner(db, new FakeEngine());
    const status = await runner.setInterval('github', '15m');
    expect(status).toMatchObject({ name: 'github', sync_interval: '15m', next_run_at: null });
    expect(await db.getSource('github')).toMatchObject({ sync_interval: '15m', freshness_threshold: '2h' });
    await expect(runner.setInterval('github', 'often')).rejects.toThrow(
      "Invalid sync interval 'often': expected a number followed by s, m, h or d",
    );
    await expect(runner.setInterval('nope', '1h')).rejects.toThrow("Source 'nope' is not registered.");
    await db.addSource({ name: 'demo', type: 'sample' });
    await expect(runner.setInterval('demo', '1h')).rejects.toThrow(/sample source.*no sync schedule/);
    expect((await runner.setInterval('github', '')).sync_interval).toBeNull();
  });

  it('runs scheduled syncs while started, shows the next run, and reports their trigger', async () => {
    await db.addSource({ name: 'linear', type: 'linear' });
    await db.addSource({ name: 'stripe', type: 'stripe' });
    const runner = new SyncRunner(db, new FakeEngine());
    const events: SyncEvent[] = [];
    runner.watch((e) => events.push(e));
    runner.start({ checkInterval: '60s' });
    await runner.setInterval('linear', '30s');
    await expect
      .poll(() => events.filter((e) => e.type === 'finished').length, { timeout: 5000 })
      .toBeGreaterThanOrEqual(2);
    await runner.stop();
    expect(events[0]).toEqual({ type: 'started', source: 'linear', trigger: 'schedule' });
    expect(events.every((e) => e.source === 'linear')).toBe(true);
    runner.start();
    const [linear, stripe] = await runner.status();
    await runner.stop();
    const last = Date.parse(linear!.last_success_at!);
    expect(Date.parse(linear!.next_run_at!)).toBe(last + 30_000);
    expect(linear!.last_attempt).toMatchObject({ status: 'success', error: null });
    expect(stripe).toMatchObject({ next_run_at: null, last_attempt: null, syncing: null });
  });

  it('lists the sync history newest first, with durations, errors and interrupted runs', async () => {
    await db.addSource({ name: 'stripe', type: 'stripe' });
    await db.addSource({ name: 'hubspot', type: 'hubspot' });
    const engine = new FakeEngine();
    const runner = new SyncRunner(db, engine);
    await runner.run('stripe');
    engine.failing.add('stripe');
    await runner.run('stripe');
    await runner.run('hubspot');
    // A tab that died mid-sync leaves a 'running' row behind.
    await db.logSyncStart('stripe', 'stripe');
    const history = await runner.history({ name: 'stripe' });
    expect(history.map((h) => h.status)).toEqual(['interrupted', 'error', 'success']);
    expect(history[1]).toMatchObject({
      source: 'stripe',
      type: 'stripe',
      duration_ms: 2500,
      error: 'HTTP 500',
      tables_synced: 1,
      rows_synced: 100,
    });
    expect(history[0]).toMatchObject({ finished_at: null, duration_ms: null });
    expect(history[2]!.started_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect((await runner.history({ limit: 2 })).map((h) => h.source)).toEqual(['stripe', 'hubspot']);
    expect((await runner.status()).find((s) => s.name === 'stripe')!.last_attempt!.status).toBe(
      'interrupted',
    );
  });
});

describe('throttleProgress', () => {
  const at = (resource: string, phase: SyncProgress['phase'], pages: number): SyncProgress => ({
    source: 'stripe',
    resource,
    phase,
    pages,
    rows: pages * 100,
  });

  it("sends a resource's fetching counts at most every PROGRESS_EVERY_MS, and never drops the last before a change", () => {
    const time = new ManualClock(0);
    const sent: string[] = [];
    const report = throttleProgress(time, (p) => sent.push(`${p.resource} ${p.phase} ${p.pages}`));
    for (let page = 1; page <= 6; page++) {
      report(at('customers', 'fetching', page));
      time.advance(PROGRESS_EVERY_MS / 2);
    }
    // A new resource: the held counts of the one before go first.
    report(at('invoices', 'fetching', 1));
    report(at('invoices', 'fetching', 2));
    report(at('customers', 'loading', 6));
    report(at('invoices', 'loading', 2));
    expect(sent).toEqual([
      'customers fetching 1',
      'customers fetching 3',
      'customers fetching 5',
      'customers fetching 6',
      'invoices fetching 1',
      'invoices fetching 2',
      'customers loading 6',
      'invoices loading 2',
    ]);
  });
});
