import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../clock.ts';
import type { DinobaseDB } from '../db.ts';
import { GatedClock, ManualClock, memoryDB } from '../testing.ts';
import type { SyncResult, SyncSourceConfig } from './engine.ts';
import { SyncScheduler, parseInterval } from './scheduler.ts';

const HOUR = 3600_000;
const clock = new ManualClock(Date.UTC(2026, 5, 1));
let db: DinobaseDB;

/** A stand-in engine that records calls and logs real sync_log rows, so due-ness is computed from the database. */
class RecordingEngine {
  calls: string[] = [];
  active = 0;
  peak = 0;
  gate: Promise<void> = Promise.resolve();
  failing = new Set<string>();
  async sync(name: string, config: SyncSourceConfig): Promise<SyncResult> {
    this.calls.push(name);
    this.active++;
    this.peak = Math.max(this.peak, this.active);
    const id = await db.logSyncStart(name, config.type);
    await this.gate;
    this.active--;
    const failed = this.failing.has(name);
    await db.logSyncEnd(id, failed ? 'error' : 'success', { tablesSynced: 1, rowsSynced: 5 });
    return {
      source_name: name,
      source_type: config.type,
      tables_synced: failed ? 0 : 1,
      rows_written: failed ? 0 : 5,
      rows_synced: failed ? 0 : 5,
      status: failed ? 'error' : 'success',
      error: failed ? 'boom' : null,
      resources: [],
      elapsed_ms: 0,
    };
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

describe('parseInterval', () => {
  it.each([
    ['30s', 30],
    ['15m', 900],
    ['1h', 3600],
    ['6H', 21600],
    ['1d', 86400],
    ['3600', 3600],
  ])('%s → %i s', (text, seconds) => expect(parseInterval(text)).toBe(seconds));

  it.each([
    ['1x', /Invalid sync interval '1x'/],
    ['soon', /Invalid sync interval 'soon'/],
    ['0m', /Sync interval must be positive, got: '0m'/],
  ])('rejects %s', (text, message) => expect(() => parseInterval(text)).toThrow(message));

  it('rejects a bad default and a bad worker count at construction', () => {
    expect(() => new SyncScheduler(db, { defaultInterval: 'often' })).toThrow(
      /Invalid sync interval 'often'/,
    );
    expect(() => new SyncScheduler(db, { maxWorkers: 0 })).toThrow(/maxWorkers must be a positive integer/);
  });
});

describe('SyncScheduler', () => {
  it('syncs never-synced sources, skips fresh ones and comes back when the interval passes', async () => {
    const engine = new RecordingEngine();
    await db.addSource({ name: 'stripe', type: 'stripe' });
    await db.addSource({ name: 'github', type: 'github', sync_interval: '15m' });
    const scheduler = new SyncScheduler(db, { defaultInterval: '1h', engine, clock });
    const first = await scheduler.syncAllDue();
    expect(first.map((r) => r.source).sort()).toEqual(['github', 'stripe']);
    expect(first[0]).toMatchObject({ status: 'success', tables: 1, rows: 5, error: null });
    expect(await scheduler.syncAllDue()).toEqual([]);
    clock.advance(16 * 60_000);
    expect((await scheduler.syncAllDue()).map((r) => r.source)).toEqual(['github']);
    clock.advance(HOUR);
    expect((await scheduler.syncAllDue()).map((r) => r.source).sort()).toEqual(['github', 'stripe']);
  });

  it('retries a failed source on the next round (only successes count as synced)', async () => {
    const engine = new RecordingEngine();
    engine.failing.add('hubspot');
    await db.addSource({ name: 'hubspot', type: 'hubspot' });
    const scheduler = new SyncScheduler(db, { engine, clock });
    expect(await scheduler.syncAllDue()).toEqual([
      { source: 'hubspot', status: 'error', tables: 0, rows: 0, error: 'boom' },
    ]);
    expect((await scheduler.syncAllDue()).map((r) => r.source)).toEqual(['hubspot']);
  });

  it('never schedules file or sample sources', async () => {
    const engine = new RecordingEngine();
    await db.addSource({ name: 'exports', type: 'parquet' });
    await db.addSource({ name: 'demo', type: 'sample' });
    expect(await new SyncScheduler(db, { engine, clock }).syncAllDue()).toEqual([]);
  });

  it('runs at most maxWorkers at once and never the same source twice at once', async () => {
    const engine = new RecordingEngine();
    let release!: () => void;
    engine.gate = new Promise((resolve) => (release = resolve));
    for (const name of ['a1', 'a2', 'a3', 'a4', 'a5']) await db.addSource({ name, type: 'stripe' });
    const scheduler = new SyncScheduler(db, { maxWorkers: 2, engine, clock });
    const round = scheduler.syncAllDue();
    await expect.poll(() => engine.active, { timeout: 5000 }).toBe(2);
    // A second round while the first is running must not start the same sources again.
    const overlapping = await scheduler.syncAllDue();
    expect(overlapping).toEqual([]);
    release();
    expect((await round).length).toBe(5);
    expect(engine.peak).toBe(2);
    expect(new Set(engine.calls).size).toBe(5);
  });

  it('keeps running in the background until stopped, and starting twice is a no-op', async () => {
    const engine = new RecordingEngine();
    await db.addSource({ name: 'linear', type: 'linear', sync_interval: '30s' });
    const gated = new GatedClock(clock.now());
    const scheduler = new SyncScheduler(db, { engine, clock: gated });
    scheduler.startBackground({ checkInterval: '30s' });
    scheduler.startBackground({ checkInterval: '30s' });
    expect(scheduler.running).toBe(true);
    // Each round syncs linear, then the loop sleeps (one loop: one sleep) until the test ends the sleep.
    for (let round = 1; round <= 3; round++) {
      await expect.poll(() => gated.pending, { timeout: 5000 }).toBe(1);
      expect(engine.calls.length).toBe(round);
      gated.tick();
    }
    await expect.poll(() => gated.pending, { timeout: 5000 }).toBe(1);
    await scheduler.stop();
    expect(scheduler.running).toBe(false);
    // Only the test ends these sleeps: a loop still alive would be parked in one now.
    expect(gated.pending).toBe(0);
    expect(engine.calls.length).toBe(4);
  });
});

/** A clock whose sleeps last until aborted, so only wake() (or stop) ends one; `sleeps` lists their lengths. */
function parkedClock(): { sleeps: number[]; idle: Clock } {
  const sleeps: number[] = [];
  const idle = {
    now: () => clock.now(),
    sleep: (ms: number, signal?: AbortSignal) =>
      new Promise<void>((_, reject) => {
        sleeps.push(ms);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      }),
  };
  return { sleeps, idle };
}

describe('SyncScheduler for the browser (explicit intervals, retry delay, wake)', () => {
  it('schedules only sources with their own interval when there is no default', async () => {
    const engine = new RecordingEngine();
    await db.addSource({ name: 'stripe', type: 'stripe' });
    await db.addSource({ name: 'linear', type: 'linear', sync_interval: '5s' });
    const scheduler = new SyncScheduler(db, { defaultInterval: null, engine, clock });
    expect(scheduler.defaultIntervalSeconds).toBeNull();
    const next = await scheduler.nextRuns();
    expect(next.get('stripe')).toBeNull();
    expect(next.get('linear')).toBe(clock.now());
    expect((await scheduler.syncAllDue()).map((r) => r.source)).toEqual(['linear']);
    expect(await scheduler.nextRun((await db.getSource('linear'))!)).toBe(clock.now() + 5000);
    clock.advance(5000);
    expect((await scheduler.syncAllDue()).map((r) => r.source)).toEqual(['linear']);
  });

  it('waits retryDelay (capped at the interval) after a failure before trying again', async () => {
    const engine = new RecordingEngine();
    engine.failing.add('hubspot');
    engine.failing.add('github');
    await db.addSource({ name: 'hubspot', type: 'hubspot', sync_interval: '1h' });
    await db.addSource({ name: 'github', type: 'github', sync_interval: '10s' });
    const scheduler = new SyncScheduler(db, { retryDelay: '1m', engine, clock });
    expect((await scheduler.syncAllDue()).map((r) => r.status)).toEqual(['error', 'error']);
    const failedAt = clock.now();
    const next = await scheduler.nextRuns();
    expect(next.get('hubspot')).toBe(failedAt + 60_000);
    expect(next.get('github')).toBe(failedAt + 10_000);
    expect(await scheduler.syncAllDue()).toEqual([]);
    clock.advance(10_000);
    expect((await scheduler.syncAllDue()).map((r) => r.source)).toEqual(['github']);
  });

  it('does not start a source that is syncing elsewhere', async () => {
    const engine = new RecordingEngine();
    await db.addSource({ name: 'linear', type: 'linear', sync_interval: '30s' });
    const busy = new Set(['linear']);
    const scheduler = new SyncScheduler(db, { engine, clock, isSyncing: (name) => busy.has(name) });
    expect(await scheduler.syncAllDue()).toEqual([]);
    busy.clear();
    expect((await scheduler.syncAllDue()).map((r) => r.source)).toEqual(['linear']);
  });

  it('sleeps until woken when nothing is scheduled, then picks up a new interval at once', async () => {
    const engine = new RecordingEngine();
    const { sleeps, idle } = parkedClock();
    await db.addSource({ name: 'stripe', type: 'stripe' });
    const scheduler = new SyncScheduler(db, { defaultInterval: null, engine, clock: idle });
    scheduler.startBackground({ checkInterval: '60s' });
    await expect.poll(() => sleeps.length, { timeout: 5000 }).toBe(1);
    expect(sleeps[0]).toBe(60_000);
    await db.addSource({ name: 'stripe', type: 'stripe', sync_interval: '5s' });
    scheduler.wake();
    await expect.poll(() => engine.calls, { timeout: 5000 }).toEqual(['stripe']);
    await expect.poll(() => sleeps.length, { timeout: 5000 }).toBe(2);
    expect(sleeps[1]).toBe(5000);
    await scheduler.stop();
  });

  it('sleeps firstRoundAfter before its first round (a tab start), and wake() cuts that sleep short', async () => {
    const engine = new RecordingEngine();
    // The first round cannot have run while the first sleep is parked.
    const { sleeps, idle } = parkedClock();
    await db.addSource({ name: 'linear', type: 'linear', sync_interval: '5s' });
    const scheduler = new SyncScheduler(db, { defaultInterval: null, engine, clock: idle });
    scheduler.startBackground({ checkInterval: '60s', firstRoundAfter: '3s' });
    await expect.poll(() => sleeps, { timeout: 5000 }).toEqual([3000]);
    expect(engine.calls).toEqual([]);
    scheduler.wake();
    await expect.poll(() => engine.calls, { timeout: 5000 }).toEqual(['linear']);
    await expect.poll(() => sleeps, { timeout: 5000 }).toEqual([3000, 5000]);
    await scheduler.stop();
    expect(scheduler.running).toBe(false);
  });
});
