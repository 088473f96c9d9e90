// Cross-layer test harness: the sandbox APIs on a real loopback server, a fresh DinobaseDB, and a movable clock.
import type { Sandboxes } from '../proxy/sandbox/index.ts';
import { serveSandboxes } from '../proxy/sandbox/test-server.ts';
import type { DinobaseDB } from '../worker/db.ts';
import { SyncEngine, type SyncResult } from '../worker/sync/engine.ts';
import { ManualClock, memoryDB } from '../worker/testing.ts';

export interface Harness {
  sandboxes: Sandboxes;
  clock: ManualClock;
  db: DinobaseDB;
  engine: SyncEngine;
  base(vendor: 'stripe' | 'hubspot' | 'github' | 'linear'): string;
  sync(
    vendor: 'stripe' | 'hubspot' | 'github' | 'linear',
    options?: { credentials?: Record<string, string>; resources?: string[] },
  ): Promise<SyncResult>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 9, 0));
  const served = await serveSandboxes({ now: () => clock.now() });
  const sandboxes = served.sandboxes;
  const db = memoryDB(clock);
  const engine = new SyncEngine(db, { clock, retry: { baseDelayMs: 10 } });
  const base = (vendor: string) => `${served.base}/${vendor}/`;
  return {
    sandboxes,
    clock,
    db,
    engine,
    base,
    sync: (vendor, options = {}) =>
      engine.sync(vendor, {
        type: vendor,
        base_url: base(vendor),
        credentials: options.credentials ?? sandboxes.credentials[vendor],
        resources: options.resources,
      }),
    async close() {
      await served.close();
      await db.close();
    },
  };
}

/** A fingerprint of every table in a schema: row counts plus an order-independent hash of the rows. */
export async function snapshot(db: DinobaseDB, schema: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of await db.getTables(schema)) {
    const [row] = await db.query(
      `SELECT count(*) AS n, COALESCE(sum(hash(t::VARCHAR)), 0)::VARCHAR AS h FROM "${schema}"."${table}" t`,
    );
    out[table] = `${row!.n}:${row!.h}`;
  }
  return out;
}
