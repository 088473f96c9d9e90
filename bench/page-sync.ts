// Browser side of the Chromium sync benchmark (P2, P8): the product's sync (engine worker, relay, OPFS) and the raw walk it is held against.
import type { SyncEvent } from '../worker/api.ts';
import { Comlink, getEngine } from '../web/lib/engine.ts';
import { instantiateDuckDB } from '../worker/duckdb/browser.ts';
import { walkAndLoad, type PageSchema } from './json-floor.ts';
import { rawFetchParse } from './walk.ts';

const engine = getEngine();

/** The latest progress the engine reported, read by the Node side while it samples memory. */
const progress = { rows: 0, pages: 0, phase: 'idle' };
/** When the running sync's first `loading` event came: the fetch phase ends there, the load (commit) begins. */
let loadingAt: number | null = null;

export interface ChromiumSyncTiming {
  ms: number;
  /** From the call to the first `loading` event (null when none came): what the rest of `ms` is the load. */
  fetchMs: number | null;
  rows_synced: number;
  /** `count(*)` of the synced table afterwards, in the OPFS database. */
  loaded: number;
  persistent: boolean;
}

/**
 * Registers `name` (a source the proxy holds the credentials of) with the engine and syncs only its `table`, as the
 * sources page does: a watcher receives the engine's events (the UI's live progress) while the sync runs.
 */
async function syncSource(name: string, type: string, table: string): Promise<ChromiumSyncTiming> {
  const info = await engine.open();
  await engine.addSource({ name, type, resources: [table] });
  const watchId = await engine.watchSyncs({
    onEvent: Comlink.proxy((event: SyncEvent) => {
      if (event.type !== 'progress') return;
      progress.rows = event.progress.rows;
      progress.pages = event.progress.pages;
      progress.phase = event.progress.phase;
      if (event.progress.phase === 'loading') loadingAt ??= performance.now();
    }),
  });
  try {
    loadingAt = null;
    const started = performance.now();
    const result = await engine.sync({ name });
    const elapsed = performance.now() - started;
    if (result.status !== 'success') throw new Error(`sync failed: ${result.error}`);
    const count = await engine.execute({ sql: `SELECT count(*) AS n FROM "${name}"."${table}"` });
    if (!('rows' in count)) throw new Error(`count failed: ${JSON.stringify(count)}`);
    return {
      ms: elapsed,
      fetchMs: loadingAt === null ? null : loadingAt - started,
      rows_synced: result.rows_synced,
      loaded: Number(count.rows[0]?.n),
      persistent: info.persistent,
    };
  } finally {
    await engine.unwatchSyncs({ watchId });
  }
}

/** Pulls the published `source` (team data, through the proxy's /api/datasets) as the Team data section does. */
async function pullTeam(source: string, table: string): Promise<ChromiumSyncTiming> {
  const info = await engine.open();
  const started = performance.now();
  const [result] = await engine.pullTeamData({ selections: [{ source, tables: [table] }] });
  const elapsed = performance.now() - started;
  if (result?.status !== 'success') throw new Error(`pull failed: ${result?.error}`);
  const count = await engine.execute({ sql: `SELECT count(*) AS n FROM "${source}"."${table}"` });
  if (!('rows' in count)) throw new Error(`count failed: ${JSON.stringify(count)}`);
  return {
    ms: elapsed,
    fetchMs: null,
    rows_synced: result.rows_synced,
    loaded: Number(count.rows[0]?.n),
    persistent: info.persistent,
  };
}

/** The raw walk in this page's main thread, straight to the sandbox's origin: its time and rows. */
async function rawWalk(base: string, key: string): Promise<{ ms: number; rows: number }> {
  const started = performance.now();
  const rows = await rawFetchParse(base, key);
  return { ms: performance.now() - started, rows };
}

/**
 * P2's floor in the browser: the walk through `base` in this page keeping each page's text, then a DuckDB-WASM of
 * this page's own loads them with its JSON reader (json-floor.ts).
 */
async function bareJsonLoad(
  base: string,
  key: string,
  columns: ReturnType<PageSchema['columns']>,
): Promise<{ ms: number; loadMs: number; rows: number }> {
  const db = await instantiateDuckDB();
  try {
    return await walkAndLoad(db, base, key, columns);
  } finally {
    await db.terminate();
  }
}

/** What DuckDB's buffer manager holds now (inside its wasm memory), in bytes. */
async function duckdbMemory(): Promise<number> {
  const result = await engine.execute({ sql: 'SELECT sum(memory_usage_bytes) AS b FROM duckdb_memory()' });
  if (!('rows' in result)) throw new Error(`duckdb_memory() failed: ${JSON.stringify(result)}`);
  return Number(result.rows[0]?.b);
}

Object.assign(globalThis, {
  dinobaseSyncBench: {
    syncSource,
    pullTeam,
    rawWalk,
    bareJsonLoad,
    duckdbMemory,
    progress: () => ({ ...progress }),
  },
});
