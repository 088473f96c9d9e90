// TEAM-CALLS (issue 15): vendor API calls for 5 tabs with team data (one server sync, publish, 5 pulls) vs 5 separate syncs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Publisher } from '../node/publish/publisher.ts';
import { DirectoryTarget } from '../proxy/datasets/dir-target.ts';
import { createSandboxes } from '../proxy/sandbox/index.ts';
import { startServer } from '../proxy/server.ts';
import { DinobaseDB } from '../worker/db.ts';
import { openNativeDuckDB } from '../worker/duckdb/native.ts';
import { createEngineService } from '../worker/service.ts';
import { SyncEngine } from '../worker/sync/engine.ts';
import { relayTransport } from '../worker/sync/transport.ts';
import { memoryDB } from '../worker/testing.ts';
import type { Row } from './stats.ts';

const TABS = 5;

/**
 * Counts the requests the Stripe sandbox receives (its `requests` log) behind a real proxy on loopback. The tabs are
 * the browser's engine (createEngineService, DuckDB-WASM unless DINOBASE_DRIVER says otherwise) in Node: the same code
 * a tab runs, so the same calls. Three runs on fresh sandboxes of the same seed: one server sync; 5 tabs each syncing
 * Stripe through the relay; the server syncing once and publishing, then 5 tabs pulling the published dataset.
 */
export async function benchTeamCalls(): Promise<Row[]> {
  const home = mkdtempSync(join(tmpdir(), 'dinobase-bench-team-calls-'));
  const name = `vendor calls, ${TABS} tabs with team data (server sync + publish + ${TABS} pulls)`;
  try {
    const single = await countCalls(home, 'single', async ({ serverSync }) => serverSync());
    const separate = await countCalls(home, 'separate', async ({ tab }) => {
      for (let i = 0; i < TABS; i++) {
        await tab(async (engine) => {
          await engine.addSource({ name: 'stripe', type: 'stripe' });
          const result = await engine.sync({ name: 'stripe' });
          if (result.status !== 'success') throw new Error(`tab sync: ${result.error}`);
        });
      }
    });
    const team = await countCalls(home, 'team', async ({ serverSync, tab }) => {
      await serverSync(true);
      for (let i = 0; i < TABS; i++) {
        await tab(async (engine) => {
          const [result] = await engine.pullTeamData({ selections: [{ source: 'stripe' }] });
          if (result?.status !== 'success') throw new Error(`tab pull: ${result?.error}`);
        });
      }
    });
    const toSingle = team / single;
    const saved = separate / team;
    return [
      {
        benchmark: `${name} vs one sync`,
        ours: `${team} calls`,
        baseline: `${single} calls`,
        ratio: `${toSingle.toFixed(2)}×`,
        goal: '1×',
        verdict: team === single ? 'yes' : 'no',
      },
      {
        benchmark: `${name} vs ${TABS} tabs each syncing`,
        ours: `${team} calls`,
        baseline: `${separate} calls`,
        ratio: `${saved.toFixed(2)}× fewer`,
        goal: `${TABS}×`,
        verdict: saved >= TABS ? 'yes' : 'no',
      },
    ];
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    return [{ benchmark: name, ours: problem, baseline: '-', ratio: '-', goal: '1×', verdict: 'no' }];
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

interface Run {
  /** The server's sync of Stripe through the relay (native DuckDB, a file), and with `publish` its publish. */
  serverSync(publish?: boolean): Promise<void>;
  /** A fresh tab engine on the proxy, closed after `use`. */
  tab(use: (engine: ReturnType<typeof createEngineService>) => Promise<void>): Promise<void>;
}

/** The Stripe sandbox's request count for `scenario`, on a fresh sandbox and proxy. */
async function countCalls(
  home: string,
  scenario: string,
  scenarioRun: (run: Run) => Promise<void>,
): Promise<number> {
  const dir = join(home, scenario);
  const sandboxes = createSandboxes();
  const target = new DirectoryTarget(join(dir, 'published'));
  const server = await startServer({ port: 0, sandboxes, datasets: target, home: dir });
  const staging = join(dir, 'staging');
  const db = new DinobaseDB(join(dir, 'server.duckdb'), {
    open: (options) => openNativeDuckDB({ ...options, exportDir: staging }),
  });
  try {
    await db.addSource({ name: 'stripe', type: 'stripe' });
    const before = sandboxes.stripe.requests.length;
    await scenarioRun({
      async serverSync(publish = false) {
        const syncs = new SyncEngine(db, {
          transport: relayTransport({
            origin: server.url,
            fetch: (input, init) => globalThis.fetch(input, init),
          }),
        });
        const synced = await syncs.sync('stripe', { type: 'stripe' });
        if (synced.error) throw new Error(`server sync: ${synced.error}`);
        if (publish) await new Publisher(db, { target, stagingDir: staging }).publish('stripe');
      },
      async tab(use) {
        const engine = createEngineService({ db: memoryDB(), relay: { origin: server.url } });
        await engine.open();
        try {
          await use(engine);
        } finally {
          await engine.close();
        }
      },
    });
    return sandboxes.stripe.requests.length - before;
  } finally {
    await db.close();
    await server.close();
  }
}
